using Tpd.Core.Units;

namespace Tpd.Model.Roofline;

/// <summary>
/// What one engine step (one forward pass of a continuous-batching engine) works on.
/// The simulator builds one per step; the roofline model prices it.
/// </summary>
/// <param name="PrefillTokens">New prompt tokens computed this step (possibly a chunk of a longer prompt), over all prefilling sequences.</param>
/// <param name="PrefillSequences">Sequences contributing prefill tokens.</param>
/// <param name="PrefillAttendedTokens">Sum over the new prompt tokens of the number of tokens each attends to (causal: a chunk of n tokens after s cached ones attends n*s + n*(n+1)/2).</param>
/// <param name="PrefillCachedTokens">Sum over prefilling sequences of the tokens already in KV cache that the chunk reads (prefix-cache hits and earlier chunks).</param>
/// <param name="DecodeSequences">Sequences generating one token this step.</param>
/// <param name="DecodeContextTokens">Sum over decoding sequences of their context length (tokens whose KV is read).</param>
public readonly record struct StepShape(
    int PrefillTokens,
    int PrefillSequences,
    double PrefillAttendedTokens,
    double PrefillCachedTokens,
    int DecodeSequences,
    double DecodeContextTokens)
{
    public int TotalTokens => PrefillTokens + DecodeSequences;

    /// <summary>A pure decode step of <paramref name="batch"/> sequences each holding <paramref name="context"/> tokens.</summary>
    public static StepShape Decode(int batch, double context) => new(0, 0, 0, 0, batch, batch * context);

    /// <summary>A whole prompt of <paramref name="tokens"/> tokens prefilled in one step, nothing cached.</summary>
    public static StepShape Prefill(int tokens, int sequences = 1)
    {
        var perSeq = (double)tokens / sequences;
        return new(tokens, sequences, sequences * perSeq * (perSeq + 1) / 2, 0, 0, 0);
    }
}

/// <summary>Prices an engine step in time. Implementations are pure and thread-safe.</summary>
public interface IStepCostModel
{
    Duration StepTime(in StepShape shape);
}
