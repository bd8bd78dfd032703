namespace Tpd.Core.Catalog;

/// <summary>
/// Turns what a user types for a price tier into a tier id of <see cref="PriceTier"/>, and says which
/// tier applies when none is named.
/// </summary>
public static class PriceTierResolver
{
    /// <summary>
    /// The tier used when the user names none: typical public on-demand, because it is the price anyone
    /// can pay today without a contract; the TCO tiers assume owning or long commitments.
    /// </summary>
    public const string Default = PriceTier.OnDemand;

    private static readonly Dictionary<string, string> s_shortNames = new(StringComparer.Ordinal)
    {
        ["ondemand"] = PriceTier.OnDemand,
        ["od"] = PriceTier.OnDemand,
        ["hyperscaler"] = PriceTier.Hyperscaler,
        ["neocloud"] = PriceTier.Neocloud,
        ["rental"] = PriceTier.Rental3Year,
        ["3y"] = PriceTier.Rental3Year,
    };

    /// <summary>One line per tier, for help text and `tpd catalog prices`.</summary>
    public static string Describe(string tier) => tier switch
    {
        PriceTier.OnDemand => "typical public on-demand $/GPU-hour in 2026 (default)",
        PriceTier.Hyperscaler => "all-in TCO $/GPU-hour at a hyperscaler (SemiAnalysis InferenceMAX, 2026-04)",
        PriceTier.Neocloud => "all-in TCO $/GPU-hour at a neocloud (SemiAnalysis InferenceMAX, 2026-04)",
        PriceTier.Rental3Year => "3-year rental contract $/GPU-hour (SemiAnalysis InferenceMAX, 2026-04)",
        _ => tier,
    };

    /// <summary>
    /// The tier id for a name, ignoring case and separators ("On_Demand", "ondemand" and "on-demand" agree;
    /// "hyperscaler", "neocloud" and "rental" are short forms). A null or empty name gives <see cref="Default"/>.
    /// </summary>
    /// <exception cref="CatalogLookupException">Unknown tier; the message lists the tiers.</exception>
    public static string Resolve(string? name) =>
        TryResolve(name, out var tier) ? tier : throw new CatalogLookupException(UnknownMessage(name!));

    public static bool TryResolve(string? name, out string tier)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            tier = Default;
            return true;
        }

        var key = NameMatcher.Normalize(name);
        var exact = PriceTier.All.FirstOrDefault(t => NameMatcher.Normalize(t) == key);
        if (exact is not null)
        {
            tier = exact;
            return true;
        }

        return s_shortNames.TryGetValue(key, out tier!);
    }

    private static string UnknownMessage(string name)
    {
        var nearest = NameMatcher.Nearest(name, PriceTier.All, 1);
        var hint = nearest.Count > 0 ? $"did you mean '{nearest[0]}'? " : "";
        return $"unknown price tier '{name}'; {hint}tiers: {string.Join(", ", PriceTier.All.Select(t => t == Default ? t + " (default)" : t))}; see `tpd catalog prices`";
    }
}
