using Tpd.Simulation.Randomness;

namespace Tpd.Simulation.Workloads;

/// <summary>A distribution of token counts (always at least 1).</summary>
public abstract record LengthDistribution
{
    public abstract int Sample(SimRandom random);

    /// <summary>Expected value (before clamping to at least 1), for sizing and reports.</summary>
    public abstract double Mean { get; }

    public static LengthDistribution Fixed(int tokens) => new FixedLength(Positive(tokens, nameof(tokens)));

    /// <summary>Uniform integers in [min, max].</summary>
    public static LengthDistribution Uniform(int min, int max) =>
        max >= Positive(min, nameof(min))
            ? new UniformLength(min, max)
            : throw new ArgumentOutOfRangeException(nameof(max), max, $"uniform length max ({max}) is below min ({min}).");

    /// <summary>Normal, truncated to [min, max] by resampling (then clamping after 64 misses).</summary>
    public static LengthDistribution Normal(double mean, double stdDev, int min = 1, int? max = null)
    {
        if (!(double.IsFinite(mean) && double.IsFinite(stdDev) && stdDev >= 0))
            throw new ArgumentOutOfRangeException(nameof(stdDev), stdDev, $"normal length needs a finite mean and a non-negative standard deviation, got mean {mean}, sd {stdDev}.");
        return new NormalLength(mean, stdDev, Positive(min, nameof(min)), max ?? int.MaxValue);
    }

    /// <summary>Lognormal with the given median and sigma of the log (sigma 0.5: p90/median about 1.9), capped at <paramref name="max"/>.</summary>
    public static LengthDistribution LogNormal(double median, double sigma, int? max = null)
    {
        if (!(double.IsFinite(median) && median >= 1 && double.IsFinite(sigma) && sigma >= 0))
            throw new ArgumentOutOfRangeException(nameof(median), median, $"lognormal length needs median >= 1 and sigma >= 0, got median {median}, sigma {sigma}.");
        return new LogNormalLength(median, sigma, max ?? int.MaxValue);
    }

    private static int Positive(int tokens, string name) =>
        tokens >= 1 ? tokens : throw new ArgumentOutOfRangeException(name, tokens, $"a token count must be at least 1, got {tokens}.");

    private sealed record FixedLength(int Tokens) : LengthDistribution
    {
        public override double Mean => Tokens;

        public override int Sample(SimRandom random) => Tokens;
    }

    private sealed record UniformLength(int Min, int Max) : LengthDistribution
    {
        public override double Mean => (Min + Max) / 2.0;

        public override int Sample(SimRandom random) => random.NextInt(Min, Max);
    }

    private sealed record NormalLength(double Mu, double StdDev, int Min, int Max) : LengthDistribution
    {
        public override double Mean => Mu;

        public override int Sample(SimRandom random)
        {
            for (var i = 0; i < 64; i++)
            {
                var x = Math.Round(Mu + (StdDev * random.NextStandardNormal()));
                if (x >= Min && x <= Max)
                    return (int)x;
            }

            return (int)Math.Clamp(Math.Round(Mu), Min, Max);
        }
    }

    private sealed record LogNormalLength(double Median, double Sigma, int Max) : LengthDistribution
    {
        public override double Mean => Median * Math.Exp(Sigma * Sigma / 2);

        public override int Sample(SimRandom random)
        {
            var x = Math.Round(Median * Math.Exp(Sigma * random.NextStandardNormal()));
            return (int)Math.Clamp(x, 1, Max);
        }
    }
}
