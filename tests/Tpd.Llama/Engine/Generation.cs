using System.Threading.Channels;

namespace Tpd.Llama.Engine;

/// <summary>One completion to generate: the prompt as token ids and how to stop.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> PromptTokens { get; init; }

    /// <summary>Tokens to generate at most (OpenAI max_tokens).</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Tokens before an end-of-generation token may be sampled (vLLM's min_tokens).</summary>
    public int MinTokens { get; init; }

    /// <summary>Never sample an end-of-generation token (vLLM's ignore_eos): the output is exactly MaxTokens long.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>0: greedy. OpenAI's default is 1.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Seed of sampling; null: the engine's seed mixed with the request's number.</summary>
    public int? Seed { get; init; }
}

/// <summary>
/// One generated token as text: the UTF-8 of the pieces so far that completes characters (empty while a multi-byte
/// character is split across tokens, as vLLM's detokenizer holds it back). <see cref="FinishReason"/> is set on the
/// last token: "length" or "stop".
/// </summary>
public readonly record struct GeneratedToken(int Id, string Text, string? FinishReason);

/// <summary>Why a request cannot run, and the request field at fault ("prompt", "max_tokens", ...).</summary>
public sealed record RequestProblem(string Message, string Field);

/// <summary>How a generation ended: "length", "stop", "abort" (the client went away or the engine stopped) or "error".</summary>
public sealed record GenerationResult(string FinishReason, int PromptTokens, int CompletionTokens, string? Error = null);

/// <summary>A submitted request: its tokens as they come, then its result.</summary>
public sealed class Generation
{
    private readonly Channel<GeneratedToken> _tokens = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<GenerationResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Generation()
    {
    }

    public ChannelReader<GeneratedToken> Tokens => _tokens.Reader;

    /// <summary>Completes after the last token is written.</summary>
    public Task<GenerationResult> Completion => _done.Task;

    internal void Emit(GeneratedToken token) => _tokens.Writer.TryWrite(token);

    internal void Finish(GenerationResult result)
    {
        _tokens.Writer.TryComplete();
        _done.TrySetResult(result);
    }
}
