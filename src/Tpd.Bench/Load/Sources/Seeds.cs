namespace Tpd.Bench.Load.Sources;

/// <summary>Stable seeds for per-index generators: the n-th prompt is the same whatever order concurrent senders ask in.</summary>
internal static class Seeds
{
    /// <summary>SplitMix64's finalizer over (seed, index): stable across processes, unlike HashCode.Combine.</summary>
    public static int Mix(int seed, long index)
    {
        var z = unchecked((((ulong)seed << 32) ^ (ulong)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    /// <summary>FNV-1a over a string's UTF-16 code units: a stable id for a session name.</summary>
    public static long Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
            h = unchecked((h ^ c) * 1099511628211UL);
        return unchecked((long)(h >> 1));
    }
}
