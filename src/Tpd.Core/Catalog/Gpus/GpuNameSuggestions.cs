namespace Tpd.Core.Catalog;

/// <summary>"Did you mean" for GPUs: nearest names by <see cref="NameMatcher"/>, reported as catalog ids.</summary>
internal static class GpuNameSuggestions
{
    /// <summary>
    /// Up to three ids. Names are matched (ids and aliases) but ids are suggested, so "h1000" points at
    /// 'h100-sxm' rather than its alias 'h100'. Names that extend what was typed come first, so "a100"
    /// suggests the A100 variants before 'a10'.
    /// </summary>
    public static List<string> NearestIds(string wanted, IEnumerable<string> names, Func<string, string> idOf)
    {
        var typed = NameMatcher.Normalize(wanted);
        return NameMatcher.Nearest(wanted, names, 12)
            .Select((name, rank) => (Name: name, Rank: rank, Extends: typed.Length > 0 && NameMatcher.Normalize(name).StartsWith(typed, StringComparison.Ordinal)))
            .OrderBy(x => x.Extends ? 0 : 1)
            .ThenBy(x => x.Rank)
            .Select(x => idOf(x.Name))
            .Distinct(StringComparer.Ordinal)
            .Take(3)
            .ToList();
    }
}
