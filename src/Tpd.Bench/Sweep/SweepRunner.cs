using System.Globalization;
using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Sweep;

/// <summary>One point to run: its label (in the JSONL records and the report), kind and plan.</summary>
public sealed record SweepPointSpec(int Index, string Label, SweepPointKind Kind, LoadPlan Plan);

/// <summary>A point that ran: its records and summary, and whether it was over-saturated.</summary>
public sealed record SweepPoint(SweepPointSpec Spec, LoadResult Result, RunSummary Summary, SaturationVerdict Saturation)
{
    public string Label => Spec.Label;
    public SweepPointKind Kind => Spec.Kind;
}

/// <summary>Every point in the order run, the best operating point, and why the sweep stopped early (null when it ran every rate).</summary>
public sealed record SweepResult(IReadOnlyList<SweepPoint> Points, OperatingPointChoice Best, string? StoppedEarly);

/// <summary>Runs a <see cref="SweepPlan"/>: synchronous, saturation, then rates between, stopping at the first over-saturated rate.</summary>
public static class SweepRunner
{
    /// <param name="plan">The sweep.</param>
    /// <param name="runPoint">Runs one point's plan (a fresh load runner writing to the shared JSONL with the point's label).</param>
    /// <param name="summarize">Summarizes a point's records (with the run's SLOs and prices).</param>
    /// <param name="slo">The SLOs the best point must meet; null: the cheapest (or fastest) point.</param>
    /// <param name="onPoint">Called after each point, e.g. to print its line.</param>
    /// <param name="cancellationToken">Stops the sweep; the point in progress keeps what it measured.</param>
    public static async Task<SweepResult> RunAsync(
        SweepPlan plan,
        Func<SweepPointSpec, CancellationToken, Task<LoadResult>> runPoint,
        Func<IReadOnlyList<RequestRecord>, RunSummary> summarize,
        SloSpec? slo,
        Action<SweepPoint>? onPoint = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runPoint);
        ArgumentNullException.ThrowIfNull(summarize);
        var errors = plan.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid sweep: " + string.Join("; ", errors), nameof(plan));

        var points = new List<SweepPoint>();
        async Task<SweepPoint> Run(SweepPointSpec spec)
        {
            var result = await runPoint(spec, cancellationToken).ConfigureAwait(false);
            var summary = summarize(result.Records);
            var point = new SweepPoint(spec, result, summary, SaturationRule.Judge(spec.Plan, result, summary));
            points.Add(point);
            onPoint?.Invoke(point);
            return point;
        }

        var sync = await Run(new SweepPointSpec(0, "synchronous", SweepPointKind.Synchronous, plan.Synchronous)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var sat = await Run(new SweepPointSpec(1, $"saturation c={plan.Saturation.Concurrency}", SweepPointKind.Saturation, plan.Saturation)).ConfigureAwait(false);
        string? stopped = null;
        var rates = plan.RatesBetween(sync.Summary.RequestThroughput.Value, sat.Summary.RequestThroughput.Value);
        for (var i = 0; i < rates.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var label = string.Create(CultureInfo.InvariantCulture, $"rate {rates[i]:0.###}/s");
            var point = await Run(new SweepPointSpec(2 + i, label, SweepPointKind.Rate, plan.Point with { Rate = rates[i], SendTimes = null, Warmup = 0 })).ConfigureAwait(false);
            if (point.Saturation.OverSaturated)
            {
                if (i < rates.Count - 1)
                    stopped = $"stopped after {label}, {(point.Saturation.ClientBound ? "client-bound" : "over-saturated")}: {point.Saturation.Reason}; {rates.Count - 1 - i} higher rate(s) not run";
                break;
            }
        }

        return new SweepResult(points, OperatingPointRule.Choose(points, slo), stopped);
    }
}
