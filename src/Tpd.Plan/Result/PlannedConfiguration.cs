using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Plan.Search;

namespace Tpd.Plan.Result;

/// <summary>
/// One candidate sized for the demand: its capacity per replica (found on the simulator), the fleet it takes and what
/// that costs. Load figures are in the demand's unit: users for user demand, the preset's rate otherwise.
/// </summary>
public sealed record PlannedConfiguration
{
    public required Candidate Candidate { get; init; }

    /// <summary>1 for the cheapest (quality-adjusted fleet $/hour, then faster per user).</summary>
    public required int Rank { get; init; }

    /// <summary>Highest load one replica carries with every SLO met (users, or the preset's rate per second).</summary>
    public required double CapacityPerReplica { get; init; }

    /// <summary>
    /// True when the search stopped with every SLO still met: at the demand (candidates outside the cheapest
    /// <see cref="Request.PlanRequest.RefineTop"/>), at <see cref="Request.PlanRequest.HeadroomCeiling"/> x the demand, or at
    /// the doubling limit. The capacity and headroom are then at least these.
    /// </summary>
    public required bool CapacityIsLowerBound { get; init; }

    /// <summary>Output tokens/s one replica produced at its capacity.</summary>
    public required TokenRate CapacityOutputRate { get; init; }

    public required int Replicas { get; init; }

    public int Gpus => Replicas * Candidate.GpusPerReplica;

    public required MoneyRate FleetPrice { get; init; }

    /// <summary>Fleet price divided by the weight format's quality weight: what ranking uses.</summary>
    public required MoneyRate QualityAdjustedFleetPrice { get; init; }

    /// <summary>Dollars per million output tokens at the demand (fleet price over the demand's output tokens).</summary>
    public required double CostPerMillionOutputTokens { get; init; }

    /// <summary>The same divided by the quality weight: the Pareto front's cost axis.</summary>
    public required double QualityAdjustedCostPerMillionOutputTokens { get; init; }

    /// <summary>Fleet $/hour x 720 / users, for a demand in users; null otherwise.</summary>
    public double? CostPerUserMonth { get; init; }

    /// <summary>
    /// 1 / p50 TPOT at the load a replica carries in the plan: how fast a reply streams to one user. Measured at the
    /// capacity when the fleet is sized by it, at the demand when one replica carries all of it.
    /// </summary>
    public required double TokensPerSecondPerUser { get; init; }

    /// <summary>p50 TPOT at the same load as <see cref="TokensPerSecondPerUser"/>.</summary>
    public required Duration MedianTpot { get; init; }

    /// <summary>capacity x replicas / demand - 1: spare load the fleet carries within the SLOs.</summary>
    public required double Headroom { get; init; }

    public required Bottleneck Bottleneck { get; init; }

    /// <summary>The roofline term binding the steady-state step at the capacity's mean concurrency.</summary>
    public required Bound RooflineBound { get; init; }

    /// <summary>Mean requests in the replica at the same load as <see cref="TokensPerSecondPerUser"/> (Little's law over the records).</summary>
    public required double MeanConcurrency { get; init; }

    /// <summary>Objectives broken at the first load tried above capacity (empty when the search hit its bracket cap).</summary>
    public required IReadOnlyList<string> FailsAbove { get; init; }

    /// <summary>Simulations run for this candidate.</summary>
    public required int Trials { get; init; }
}
