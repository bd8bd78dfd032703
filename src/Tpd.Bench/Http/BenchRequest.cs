namespace Tpd.Bench.Http;

/// <summary>
/// One request to send. Give the prompt as token ids (exact length, /v1/completions only) or as text; with
/// token ids and a server that rejects them, the client falls back to <see cref="PromptText"/>.
/// </summary>
public sealed record BenchRequest
{
    public string? PromptText { get; init; }
    public IReadOnlyList<int>? PromptTokenIds { get; init; }

    /// <summary>Prompt length in tokens when known (token ids, or a tokenizer upstream), used when the server reports no usage.</summary>
    public int? PromptTokens { get; init; }

    public required int MaxTokens { get; init; }

    /// <summary>Ask the server to keep generating past end-of-sequence, so N_out = max_tokens (vLLM, SGLang).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>vLLM's min_tokens: another way to force the length where ignore_eos is unsupported.</summary>
    public int? MinTokens { get; init; }

    public string? SessionId { get; init; }
}
