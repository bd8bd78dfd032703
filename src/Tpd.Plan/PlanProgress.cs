namespace Tpd.Plan;

/// <summary>Progress of a search: candidates done of the total, and the one that just finished.</summary>
public readonly record struct PlanProgress(int Done, int Total, string LastCandidate);
