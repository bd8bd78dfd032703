using Tpd.Simulation.Randomness;

namespace Tpd.Simulation.Workloads;

/// <summary>Input and output lengths of a single-turn request: independent distributions, or pairs drawn from a dataset.</summary>
public abstract record RequestLengths
{
    public abstract (int Input, int Output) Sample(SimRandom random);

    public static RequestLengths Independent(LengthDistribution input, LengthDistribution output) => new IndependentLengths(input, output);

    /// <summary>Pairs drawn uniformly with replacement, keeping each pair's input/output correlation (ShareGPT, traces).</summary>
    public static RequestLengths Empirical(IReadOnlyList<(int Input, int Output)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
            throw new ArgumentException("an empirical length distribution needs at least one (input, output) pair.", nameof(pairs));
        foreach (var (i, o) in pairs)
        {
            if (i < 1 || o < 1)
                throw new ArgumentOutOfRangeException(nameof(pairs), $"({i}, {o})", "every pair needs at least 1 input and 1 output token.");
        }

        return new EmpiricalLengths([.. pairs]);
    }

    private sealed record IndependentLengths(LengthDistribution Input, LengthDistribution Output) : RequestLengths
    {
        public override (int Input, int Output) Sample(SimRandom random) => (Input.Sample(random), Output.Sample(random));
    }

    private sealed record EmpiricalLengths((int Input, int Output)[] Pairs) : RequestLengths
    {
        public override (int Input, int Output) Sample(SimRandom random) => Pairs[random.NextInt(0, Pairs.Length - 1)];
    }
}
