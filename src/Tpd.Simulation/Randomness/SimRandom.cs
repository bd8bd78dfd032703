namespace Tpd.Simulation.Randomness;

/// <summary>
/// A small, fast, splittable generator: xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/) seeded through
/// SplitMix64. Every stream of randomness in a simulation (arrivals, lengths, think times) is its own
/// <see cref="Split"/> of the run's seed, so adding draws to one stream never shifts another, and the output is
/// the same on every platform and .NET version (System.Random's algorithm is not part of its contract).
/// </summary>
public sealed class SimRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    public SimRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator from a signed seed (as users type it).</summary>
    public static SimRandom FromSeed(long seed) => new(unchecked((ulong)seed));

    /// <summary>An independent generator for a named stream, derived from this one's state without consuming it.</summary>
    public SimRandom Split(ulong stream)
    {
        var mixed = _s0 ^ (_s1 * 0x9E3779B97F4A7C15UL) ^ (stream * 0xD1B54A32D192ED03UL) ^ (_s3 >> 17);
        return new SimRandom(mixed);
    }

    public ulong NextUInt64()
    {
        var result = RotL(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in (0, 1]: safe to take the logarithm of.</summary>
    public double NextDoubleNonZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [minInclusive, maxInclusive].</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        var span = (ulong)((long)maxInclusive - minInclusive + 1);
        return (int)(minInclusive + (long)(NextUInt64() % span));
    }

    public double NextExponential(double mean) => -Math.Log(NextDoubleNonZero()) * mean;

    /// <summary>Standard normal by the Marsaglia polar method (keeps the spare value).</summary>
    public double NextStandardNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        var f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Gamma(shape, scale) by Marsaglia and Tsang (2000), with the boost for shape &lt; 1.</summary>
    public double NextGamma(double shape, double scale)
    {
        if (shape < 1)
        {
            var boost = Math.Pow(NextDoubleNonZero(), 1 / shape);
            return NextGamma(shape + 1, scale) * boost;
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextStandardNormal();
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = NextDoubleNonZero();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
                return d * v * scale;
        }
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
