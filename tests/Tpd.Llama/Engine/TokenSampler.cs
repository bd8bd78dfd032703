namespace Tpd.Llama.Engine;

/// <summary>
/// Picks the next token from one sequence's logits: greedy at temperature 0, else softmax at the temperature with a
/// seeded generator, so the same request with the same seed gives the same tokens. Tokens the table marks not
/// samplable never come out; end-of-generation tokens only when the caller allows them.
/// </summary>
internal sealed class TokenSampler(TokenTable table, float temperature, int seed)
{
    private readonly Random _random = new(seed);
    private double[] _weights = [];

    public int Sample(ReadOnlySpan<float> logits, bool allowEnd)
    {
        var n = Math.Min(logits.Length, table.Count);
        bool Allowed(int i) => table.IsSamplable(i) && (allowEnd || !table.EndsGeneration(i));

        if (temperature <= 0)
        {
            var best = -1;
            for (var i = 0; i < n; i++)
            {
                if (Allowed(i) && (best < 0 || logits[i] > logits[best]))
                    best = i;
            }

            return best >= 0 ? best : throw new InvalidOperationException("no token of the vocabulary may be sampled");
        }

        var max = float.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            if (Allowed(i))
                max = MathF.Max(max, logits[i]);
        }

        if (_weights.Length < n)
            _weights = new double[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            _weights[i] = Allowed(i) ? Math.Exp((logits[i] - max) / temperature) : 0;
            total += _weights[i];
        }

        var target = _random.NextDouble() * total;
        var last = -1;
        for (var i = 0; i < n; i++)
        {
            if (_weights[i] <= 0)
                continue;
            last = i;
            target -= _weights[i];
            if (target < 0)
                return i;
        }

        return last >= 0 ? last : throw new InvalidOperationException("no token of the vocabulary may be sampled");
    }
}
