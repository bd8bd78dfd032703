namespace Tpd.Twin.Text;

/// <summary>SplitMix64 over (seed, a, b): one reproducible 64-bit draw per request and purpose, whatever the thread order.</summary>
internal static class Mix
{
    public static ulong Hash(long seed, long a, long b = 0)
    {
        return Finalize(unchecked((ulong)seed + (0x9E3779B97F4A7C15UL * ((ulong)a + 1)) + (0xD1B54A32D192ED03UL * ((ulong)b + 1))));
    }

    /// <summary>SplitMix64's finalizer: every input bit moves every output bit.</summary>
    public static ulong Finalize(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A uniform draw in [0, 1).</summary>
    public static double Uniform(long seed, long a, long b = 0) => (Hash(seed, a, b) >> 11) * (1.0 / (1UL << 53));
}
