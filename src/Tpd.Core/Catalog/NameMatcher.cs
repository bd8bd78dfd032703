namespace Tpd.Core.Catalog;

/// <summary>Finds the catalog names closest to a mistyped one, for "did you mean" errors.</summary>
public static class NameMatcher
{
    /// <summary>Up to <paramref name="max"/> candidates ordered by closeness; substring matches first, then edit distance.</summary>
    public static IReadOnlyList<string> Nearest(string wanted, IEnumerable<string> candidates, int max = 3)
    {
        var w = Normalize(wanted);
        return candidates
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(c => (Name: c, Score: Score(w, Normalize(c))))
            .Where(x => x.Score <= Math.Max(3, w.Length / 2))
            .OrderBy(x => x.Score)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Name)
            .ToList();
    }

    /// <summary>Lower-case with separators removed, so "H100_SXM", "h100-sxm" and "H100 SXM" compare equal.</summary>
    public static string Normalize(string s) =>
        new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static int Score(string wanted, string candidate)
    {
        if (wanted.Length == 0)
            return int.MaxValue;
        if (candidate.StartsWith(wanted, StringComparison.Ordinal) || wanted.StartsWith(candidate, StringComparison.Ordinal))
            return 0;
        if (candidate.Contains(wanted, StringComparison.Ordinal))
            return 1;
        return Levenshtein(wanted, candidate);
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
