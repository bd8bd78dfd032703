using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Plan.Request;
using Tpd.Plan.Result;
using Tpd.Plan.Search;

namespace Tpd.Plan;

/// <summary>
/// `tpd plan`'s search (MODEL.md, Plan): enumerate GPU type x TP x weight/KV formats x max_num_seqs, prune what
/// cannot fit or cannot meet a latency objective alone, find each remaining candidate's capacity per replica by
/// bisection on the simulator, size the fleet for the demand, cost it, rank, and draw the Pareto front.
/// Pure and deterministic: same request, same result, whatever the thread count or scheduling.
/// </summary>
public static class Planner
{
    private const double HoursPerMonth = 720;
    private const double SecondsPerDay = 86_400;

    /// <param name="request">What to plan; <see cref="PlanRequest.Validate"/> must be empty.</param>
    /// <param name="progress">Told after each candidate's search finishes (from worker threads).</param>
    /// <param name="ct">Stops the search between simulations; the result then holds the candidates already finished and <see cref="PlanResult.Complete"/> is false.</param>
    /// <exception cref="ArgumentException">The request is invalid; the message lists every problem.</exception>
    public static PlanResult Run(PlanRequest request, IProgress<PlanProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid plan request:\n  " + string.Join("\n  ", errors), nameof(request));

        var candidates = CandidateSpace.Enumerate(request);
        var traffic = TrafficShape.Probe(request);
        var (viable, pruned) = CandidateSpace.Screen(request, candidates, traffic);

        var outcomes = new Outcome?[candidates.Count];
        var done = 0;
        var complete = true;
        var options = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = request.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        try
        {
            // Largest expected capacity first: those run the longest simulations, so starting them early balances the cores.
            var order = viable.OrderByDescending(v => CapacitySearch.UpperBound(v, traffic, false)).ToList();
            Parallel.ForEach(order, options, (v, _) =>
            {
                CapacityFinding? found;
                TrialResult? failure;
                try
                {
                    found = CapacitySearch.Find(request, v, traffic, ct, out failure);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }

                outcomes[v.Index] = new Outcome(v, found, failure);
                progress?.Report(new PlanProgress(Interlocked.Increment(ref done), viable.Count, v.Candidate.Label));
            });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            complete = false;
        }

        complete &= !ct.IsCancellationRequested;
        var sized = new List<PlannedConfiguration>();
        var allPruned = new List<PrunedCandidate>(pruned);
        var evaluated = 0;
        foreach (var o in outcomes)
        {
            if (o is null)
                continue;
            evaluated++;
            if (o.Found is null)
                allPruned.Add(new PrunedCandidate(o.Viable.Candidate, PruneReason.NoLoadMeetsSlo, NoLoadDetail(request, o.Failure)));
            else
                sized.Add(Size(request, o.Viable, o.Found, traffic));
        }

        var ranked = Rank(sized);
        if (complete && request.RefineTop > 0)
        {
            complete = RefineHeadroom(request, traffic, ranked, outcomes, options, ct);
            ranked = Rank(ranked);
        }

        var unit = request.Demand.SearchesUsers ? "users" : traffic.ClosedLoop ? "clients" : "per s";
        return new PlanResult
        {
            Request = request,
            Complete = complete,
            Candidates = candidates.Count,
            Evaluated = evaluated,
            Ranked = ranked,
            ParetoFront = ParetoFront.Of(ranked),
            Pruned = allPruned,
            WhyWinnerWins = Explanation.Why(ranked, unit),
        };
    }

    private static List<PlannedConfiguration> Rank(IEnumerable<PlannedConfiguration> sized) => sized
        .OrderBy(p => p.QualityAdjustedFleetPrice.DollarsPerSecond)
        .ThenByDescending(p => p.TokensPerSecondPerUser)
        .ThenBy(p => p.Candidate.Label, StringComparer.Ordinal)
        .Select((p, i) => p with { Rank = i + 1 })
        .ToList();

    /// <summary>
    /// Headroom for the cheapest configurations whose one replica met the whole demand: their search stopped there,
    /// so it continues up to <see cref="PlanRequest.HeadroomCeiling"/> x the demand. Replaces those entries in place;
    /// false when cancelled (the entries not yet refined keep their lower bound).
    /// </summary>
    private static bool RefineHeadroom(PlanRequest request, TrafficShape traffic, List<PlannedConfiguration> ranked, Outcome?[] outcomes, ParallelOptions options, CancellationToken ct)
    {
        var ceiling = CapacitySearch.Cap(request, traffic, CapacitySearch.WholeUnits(request, traffic)) * request.HeadroomCeiling;
        var work = ranked.Take(request.RefineTop)
            .Select((p, i) => (Index: i, Plan: p))
            .Where(x => x.Plan.CapacityIsLowerBound)
            .Select(x => (x.Index, Outcome: outcomes.First(o => o is not null && o.Viable.Candidate == x.Plan.Candidate)!))
            .ToList();
        try
        {
            Parallel.ForEach(work, options, w =>
            {
                var extended = CapacitySearch.Extend(request, w.Outcome.Viable, traffic, w.Outcome.Found!, ceiling, ct);
                var resized = Size(request, w.Outcome.Viable, extended, traffic);

                // The fleet still carries the demand, not the capacity: cost and per-user figures stay those measured
                // at the demand; what the extended search adds is how far the replica goes and what stops it.
                var original = ranked[w.Index];
                lock (ranked)
                {
                    ranked[w.Index] = original with
                    {
                        CapacityPerReplica = resized.CapacityPerReplica,
                        CapacityIsLowerBound = resized.CapacityIsLowerBound,
                        CapacityOutputRate = resized.CapacityOutputRate,
                        Headroom = resized.Headroom,
                        Bottleneck = resized.Bottleneck,
                        RooflineBound = resized.RooflineBound,
                        FailsAbove = resized.FailsAbove,
                        Trials = resized.Trials,
                    };
                }
            });
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static PlannedConfiguration Size(PlanRequest request, ViableCandidate v, CapacityFinding f, TrafficShape traffic)
    {
        var c = v.Candidate;
        var at = f.AtCapacity;
        var outputPerLoad = at.OutputTokensPerSecond > 0 ? at.OutputTokensPerSecond / f.Capacity : traffic.OutputPerLoad;
        var capacityOutput = outputPerLoad * f.Capacity;

        // Tokens/day demand is met in output tokens/s; user and rate demand in the search's own unit.
        double demandLoad, demandOutput, capacityLoad;
        if (request.Demand.Kind == DemandKind.TokensPerDay)
        {
            demandOutput = request.Demand.Value / SecondsPerDay;
            demandLoad = demandOutput;
            capacityLoad = capacityOutput;
        }
        else
        {
            demandLoad = request.Demand.Value;
            demandOutput = demandLoad * outputPerLoad;
            capacityLoad = f.Capacity;
        }

        var replicas = (int)Math.Max(1, Math.Ceiling(demandLoad / capacityLoad - 1e-9));
        var fleet = c.ReplicaPrice * replicas;
        var perMillion = fleet.DollarsPerSecond / demandOutput * 1e6;
        var tpot = at.P50Tpot ?? SteadyStateTpot(v, traffic);

        var roofline = CapacitySearch.RooflineBoundAt(v, traffic, at.MeanConcurrency);
        var above = f.AboveCapacity;
        Bottleneck bottleneck;
        if (at.Preemptions > 0 || at.PeakKvUsage >= 0.95 || above is { Preemptions: > 0 })
            bottleneck = Bottleneck.KvCapacity;
        else if (above is { TtftFailed: true, TpotFailed: false })
            bottleneck = Bottleneck.Ttft;
        else
            bottleneck = roofline switch
            {
                Bound.Compute => Bottleneck.Compute,
                Bound.Communication => Bottleneck.Communication,
                Bound.Overhead => Bottleneck.Overhead,
                _ => Bottleneck.MemoryBandwidth,
            };

        return new PlannedConfiguration
        {
            Candidate = c,
            Rank = 0,
            CapacityPerReplica = f.Capacity,
            CapacityIsLowerBound = f.AtLeast,
            CapacityOutputRate = TokenRate.FromTokensPerSecond(capacityOutput),
            Replicas = replicas,
            FleetPrice = fleet,
            QualityAdjustedFleetPrice = fleet / c.Quality,
            CostPerMillionOutputTokens = perMillion,
            QualityAdjustedCostPerMillionOutputTokens = perMillion / c.Quality,
            CostPerUserMonth = request.Demand.Kind == DemandKind.Users ? fleet.DollarsPerHour * HoursPerMonth / request.Demand.Value : null,
            TokensPerSecondPerUser = 1 / tpot,
            MedianTpot = Duration.FromSeconds(tpot),
            Headroom = capacityLoad * replicas / demandLoad - 1,
            Bottleneck = bottleneck,
            RooflineBound = roofline,
            MeanConcurrency = at.MeanConcurrency,
            FailsAbove = above?.Failed ?? [],
            Trials = f.Trials,
        };
    }

    private static double SteadyStateTpot(ViableCandidate v, TrafficShape traffic) =>
        Model.Estimate.SteadyState.At(v.StepModel, v.Memory, traffic.AsWorkload(), 1).Tpot.Seconds;

    private static string NoLoadDetail(PlanRequest request, TrialResult? lowest)
    {
        if (lowest is null)
            return "no load meets the SLOs on the simulator";
        var unit = request.Demand.SearchesUsers ? "users" : "per s";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"even at {lowest.Load:G4} {unit} on one replica the simulator breaks {string.Join("; ", lowest.Failed)}");
    }

    private sealed record Outcome(ViableCandidate Viable, CapacityFinding? Found, TrialResult? Failure);
}
