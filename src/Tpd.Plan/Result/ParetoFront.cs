namespace Tpd.Plan.Result;

/// <summary>The non-dominated configurations on cost (lower is better) against tokens/s per user (higher is better).</summary>
public static class ParetoFront
{
    /// <summary>
    /// Keeps every configuration that no other dominates (costs no more, streams no slower, and is better on one);
    /// cheapest first. Quadratic, which is nothing at the few hundred candidates of a plan, and obviously right.
    /// </summary>
    public static IReadOnlyList<PlannedConfiguration> Of(IReadOnlyList<PlannedConfiguration> configurations)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        return configurations
            .Where(p => !configurations.Any(q => Dominates(q, p)))
            .OrderBy(p => p.QualityAdjustedCostPerMillionOutputTokens)
            .ThenByDescending(p => p.TokensPerSecondPerUser)
            .ThenBy(p => p.Candidate.Label, StringComparer.Ordinal)
            .ToList();
    }

    public static bool Dominates(PlannedConfiguration a, PlannedConfiguration b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ca = a.QualityAdjustedCostPerMillionOutputTokens;
        var cb = b.QualityAdjustedCostPerMillionOutputTokens;
        var sa = a.TokensPerSecondPerUser;
        var sb = b.TokensPerSecondPerUser;
        return ca <= cb && sa >= sb && (ca < cb || sa > sb);
    }
}
