using Tpd.Model.Estimate;
using Tpd.Model.Roofline;
using Tpd.Plan.Request;

namespace Tpd.Plan.Search;

/// <summary>The highest load one replica carries within the SLOs, with the trials at and just above it.</summary>
/// <param name="Capacity">Highest load tried that met every SLO.</param>
/// <param name="AtCapacity">The trial at that load.</param>
/// <param name="AboveCapacity">The lowest load tried that broke an SLO, if any.</param>
/// <param name="Trials">Simulations run.</param>
/// <param name="AtLeast">The search stopped at its cap (the whole demand on one replica, or the doubling limit) with every SLO still met: the true capacity is higher.</param>
internal sealed record CapacityFinding(double Capacity, TrialResult AtCapacity, TrialResult? AboveCapacity, int Trials, bool AtLeast);

/// <summary>
/// Bisection on the load (users, or the preset's rate) of ONE replica, on the simulator. The upper bound comes from
/// the analytic steady state at the largest batch that fits (x 1.25, and doubled while it still passes, because
/// prefix caching makes the simulated engine faster than the analytic one); the lower bound is zero load.
/// The search never goes past the demand itself (x 1.5 for tokens/day, whose rate is only estimated): a replica
/// that carries all of it needs no more precision, and the largest simulations are the slowest.
/// </summary>
internal static class CapacitySearch
{
    /// <summary>Doublings of the upper bound allowed when it still meets the SLOs (2^6 = 64 x the analytic bound).</summary>
    private const int MaxDoublings = 6;

    /// <summary>Stop when the bracket is within 1% of its top: finer than the run-to-run noise of a short horizon.</summary>
    private const double RelativeTolerance = 0.01;

    // The lowest failing trial explains a candidate that no load suits; it is null whenever a load passed.
    public static CapacityFinding? Find(PlanRequest request, ViableCandidate c, TrafficShape traffic, CancellationToken ct, out TrialResult? lowestFailure)
    {
        var integer = WholeUnits(request, traffic);
        var cap = Cap(request, traffic, integer);
        var hi = Math.Min(UpperBound(c, traffic, integer), cap);
        TrialResult? pass = null, fail = null;
        var trials = 0;
        var capped = false;

        // Grow the bracket until its top fails.
        for (var d = 0; ; d++)
        {
            ct.ThrowIfCancellationRequested();
            var t = Trial.Run(request, c, hi);
            trials++;
            if (!t.Passed)
            {
                fail = t;
                break;
            }

            pass = t;
            if (d == MaxDoublings || hi >= cap)
            {
                capped = true;
                break;
            }

            hi = Math.Min(hi * 2, cap);
        }

        (pass, fail, trials) = Bisect(request, c, pass, fail, integer, trials, ct);
        lowestFailure = pass is null ? fail : null;
        return pass is null ? null : new CapacityFinding(pass.Load, pass, fail, trials, capped);
    }

    /// <summary>
    /// Continues a search that stopped at the demand with every SLO met: doubles the load from the capacity found
    /// (up to <paramref name="ceiling"/>) until a trial fails, then bisects as <see cref="Find"/> does. The result is
    /// the true capacity, or a lower bound again when the ceiling itself still passes.
    /// </summary>
    public static CapacityFinding Extend(PlanRequest request, ViableCandidate c, TrafficShape traffic, CapacityFinding found, double ceiling, CancellationToken ct)
    {
        if (!found.AtLeast || found.Capacity >= ceiling)
            return found;
        TrialResult? pass = found.AtCapacity, fail = null;
        var trials = found.Trials;
        var hi = found.Capacity;
        while (fail is null && hi < ceiling)
        {
            ct.ThrowIfCancellationRequested();
            hi = Math.Min(hi * 2, ceiling);
            var t = Trial.Run(request, c, hi);
            trials++;
            if (t.Passed)
                pass = t;
            else
                fail = t;
        }

        (pass, fail, trials) = Bisect(request, c, pass, fail, WholeUnits(request, traffic), trials, ct);
        return new CapacityFinding(pass!.Load, pass, fail, trials, AtLeast: fail is null);
    }

    /// <summary>Users and closed-loop clients are searched in whole units; rates are continuous.</summary>
    internal static bool WholeUnits(PlanRequest request, TrafficShape traffic) => request.Demand.SearchesUsers || traffic.ClosedLoop;

    /// <summary>
    /// Narrows the bracket between the highest passing load (zero when none) and the lowest failing one, up to
    /// <see cref="PlanRequest.BisectionSteps"/> midpoints, until it is within 1% of its top (one unit for whole units).
    /// </summary>
    private static (TrialResult? Pass, TrialResult? Fail, int Trials) Bisect(
        PlanRequest request, ViableCandidate c, TrialResult? pass, TrialResult? fail, bool integer, int trials, CancellationToken ct)
    {
        var lo = pass?.Load ?? 0;
        for (var step = 0; step < request.BisectionSteps && fail is not null; step++)
        {
            var top = fail.Load;
            if (top - lo <= Math.Max(integer ? 1 : 0, RelativeTolerance * top))
                break;
            var mid = integer ? Math.Floor((lo + top) / 2) : (lo + top) / 2;
            if (integer && mid < 1)
                break;
            ct.ThrowIfCancellationRequested();
            var t = Trial.Run(request, c, mid);
            trials++;
            if (t.Passed)
            {
                pass = t;
                lo = mid;
            }
            else
            {
                fail = t;
            }
        }

        return (pass, fail, trials);
    }

    /// <summary>The most load worth simulating on one replica: the demand in the search's unit.</summary>
    internal static double Cap(PlanRequest request, TrafficShape traffic, bool integer)
    {
        var d = request.Demand;
        double cap = d.Kind switch
        {
            DemandKind.Users or DemandKind.Rate => d.Value,
            _ => d.Value / 86_400 / Math.Max(traffic.OutputPerLoad, 1e-9) * 1.5,
        };
        return integer ? Math.Max(1, Math.Ceiling(cap)) : cap;
    }

    /// <summary>Load at which the analytic steady state of the largest batch that fits runs out of throughput, x 1.25.</summary>
    internal static double UpperBound(ViableCandidate c, TrafficShape traffic, bool integer)
    {
        var workload = traffic.AsWorkload();
        var p = c.StepModel.Profile;
        var batch = (int)Math.Clamp(c.Memory.SequencesAt(p, workload.MeanDecodeContext), 1, p.MaxNumSeqs);
        double bound;
        if (traffic.ClosedLoop)
        {
            bound = batch * 1.25;
        }
        else
        {
            var op = SteadyState.At(c.StepModel, c.Memory, workload, batch);
            bound = op.OutputRate.TokensPerSecond / Math.Max(traffic.OutputPerLoad, 1e-9) * 1.25;
        }

        return integer ? Math.Max(2, Math.Ceiling(bound)) : Math.Max(bound, 1e-3);
    }

    /// <summary>The roofline term that binds at a batch (steady state with the preset's means).</summary>
    internal static Bound RooflineBoundAt(ViableCandidate c, TrafficShape traffic, double meanConcurrency)
    {
        var batch = (int)Math.Clamp(Math.Round(meanConcurrency), 1, c.StepModel.Profile.MaxNumSeqs);
        return SteadyState.At(c.StepModel, c.Memory, traffic.AsWorkload(), batch).Step.Bound;
    }
}
