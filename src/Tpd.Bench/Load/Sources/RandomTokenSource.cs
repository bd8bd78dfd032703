using Tpd.Bench.Http;

namespace Tpd.Bench.Load.Sources;

/// <summary>
/// Random prompts of an exact token length: token ids drawn from a seeded generator in [1000, 1000 + spread),
/// clear of special tokens at the ends of vocabularies (the n-th prompt depends only on seed and n), and a fixed
/// output length forced by ignore_eos. With sharedPrefixTokens every prompt starts with the same
/// prefix of that many tokens (a system prompt), drawn from the seed alone, then inputTokens of its own.
/// </summary>
public sealed class RandomTokenSource : IRequestSource
{
    private readonly int _inputTokens;
    private readonly int _outputTokens;
    private readonly int _seed;
    private readonly int _spread;
    private readonly int[] _prefixIds;
    private readonly string _prefixText;

    public RandomTokenSource(int inputTokens, int outputTokens, int seed = 1, int spread = 20_000, int sharedPrefixTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(sharedPrefixTokens);
        _inputTokens = inputTokens;
        _outputTokens = outputTokens;
        _seed = seed;
        _spread = spread;
        var prefix = new Random(Seeds.Mix(seed, long.MinValue));
        _prefixIds = new int[sharedPrefixTokens];
        for (var i = 0; i < _prefixIds.Length; i++)
            _prefixIds[i] = 1000 + prefix.Next(spread);
        _prefixText = sharedPrefixTokens > 0 ? PromptText.Of(prefix, sharedPrefixTokens) + " " : "";
    }

    public int SharedPrefixTokens => _prefixIds.Length;

    public BenchRequest RequestAt(long index)
    {
        // One generator per index: the n-th prompt is the same whatever order concurrent senders ask in.
        var random = new Random(Seeds.Mix(_seed, index));
        var ids = new int[_prefixIds.Length + _inputTokens];
        _prefixIds.CopyTo(ids, 0);
        for (var i = _prefixIds.Length; i < ids.Length; i++)
            ids[i] = 1000 + random.Next(_spread);

        return new BenchRequest
        {
            PromptTokenIds = ids,
            PromptTokens = ids.Length,
            PromptText = _prefixText + PromptText.Of(random, _inputTokens),
            MaxTokens = _outputTokens,
            IgnoreEos = true,
            MinTokens = _outputTokens,
        };
    }
}
