using Tpd.Bench.Http;

namespace Tpd.Bench.Load;

/// <summary>The workload: the request to send as the n-th (0-based, warm-up first).</summary>
public interface IRequestSource
{
    BenchRequest RequestAt(long index);
}

/// <summary>
/// Random prompts of an exact token length: token ids drawn from a seeded generator in [1000, 1000 + spread),
/// clear of special tokens at the ends of vocabularies (the n-th prompt depends only on seed and n), and a fixed output length forced by ignore_eos.
/// </summary>
public sealed class RandomTokenSource(int inputTokens, int outputTokens, int seed = 1, int spread = 20_000) : IRequestSource
{
    public BenchRequest RequestAt(long index)
    {
        // One generator per index: the n-th prompt is the same whatever order concurrent senders ask in.
        var random = new Random(Mix(seed, index));
        var ids = new int[inputTokens];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = 1000 + random.Next(spread);

        return new BenchRequest
        {
            PromptTokenIds = ids,
            PromptTokens = inputTokens,
            PromptText = string.Join(' ', Enumerable.Repeat("hi", inputTokens)),
            MaxTokens = outputTokens,
            IgnoreEos = true,
            MinTokens = outputTokens,
        };
    }

    /// <summary>SplitMix64's finalizer over (seed, index): stable across processes, unlike HashCode.Combine.</summary>
    private static int Mix(int seed, long index)
    {
        var z = unchecked((((ulong)seed << 32) ^ (ulong)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }
}
