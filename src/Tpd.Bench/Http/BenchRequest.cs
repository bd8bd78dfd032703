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

    /// <summary>Chat history to send as messages (multi-turn sessions); null sends <see cref="PromptText"/> as one user message.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>Session of a multi-turn chat, copied onto the record.</summary>
    public string? SessionId { get; init; }

    /// <summary>Turn within <see cref="SessionId"/>, 0-based, copied onto the record.</summary>
    public int? Turn { get; init; }
}

/// <summary>One chat message: role "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content);
