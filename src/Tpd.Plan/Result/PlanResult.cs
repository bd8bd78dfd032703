using Tpd.Plan.Request;
using Tpd.Plan.Search;

namespace Tpd.Plan.Result;

/// <summary>What the planner found: ranked configurations, the Pareto front, what was pruned and why the winner wins.</summary>
public sealed record PlanResult
{
    public required PlanRequest Request { get; init; }

    /// <summary>False when the search was cancelled: the lists hold only the candidates finished by then.</summary>
    public required bool Complete { get; init; }

    /// <summary>Candidates enumerated.</summary>
    public required int Candidates { get; init; }

    /// <summary>Candidates whose capacity search finished (sized or pruned for no passing load).</summary>
    public required int Evaluated { get; init; }

    /// <summary>Best first: quality-adjusted fleet $/hour, then tokens/s per user (higher first), then label.</summary>
    public required IReadOnlyList<PlannedConfiguration> Ranked { get; init; }

    /// <summary>Configurations no other beats on both quality-adjusted $/1M output tokens and tokens/s per user; cheapest first.</summary>
    public required IReadOnlyList<PlannedConfiguration> ParetoFront { get; init; }

    public required IReadOnlyList<PrunedCandidate> Pruned { get; init; }

    public PlannedConfiguration? Winner => Ranked.Count > 0 ? Ranked[0] : null;

    /// <summary>The winner's bottleneck and what the runner-up lacks, in a sentence or two.</summary>
    public required string WhyWinnerWins { get; init; }
}
