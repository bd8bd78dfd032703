using Tpd.Bench.Http;

namespace Tpd.Bench.Load.Sources;

/// <summary>
/// Multi-turn chat sessions on /v1/chat/completions: each turn sends the whole conversation so far (an optional shared
/// system prompt, earlier user messages and replies) plus a new user message of about <paramref name="userTokens"/>
/// words, asking for <paramref name="replyTokens"/> tokens. The reply put back into the history is filler text of the
/// reply's token count, not the generated text (bench does not keep streamed text), so the server's prefix cache can
/// match each new turn up to the previous user message, not through the previous reply.
/// </summary>
public sealed class ChatSessionSource(int userTokens, int replyTokens, int turns, int seed = 1, int systemPromptTokens = 0) : IRequestSource
{
    private readonly string? _system = systemPromptTokens > 0 ? PromptText.Of(new Random(Seeds.Mix(seed, long.MinValue)), systemPromptTokens) : null;

    /// <summary>Turns (user messages) per session.</summary>
    public int Turns { get; } = turns >= 1 ? turns : throw new ArgumentOutOfRangeException(nameof(turns), turns, $"a session needs at least 1 turn, got {turns}");

    public int SystemPromptTokens => systemPromptTokens;

    /// <summary>A single-turn request, for warm-up (negative indices) and single-request use.</summary>
    public BenchRequest RequestAt(long index) => TurnRequest(index, 0, Start());

    /// <summary>The history a new session starts with (the system prompt, when there is one).</summary>
    public List<ChatMessage> Start() => _system is null ? [] : [new ChatMessage("system", _system)];

    /// <summary>The request for <paramref name="turn"/> of <paramref name="session"/>; the new user message is appended to <paramref name="history"/>.</summary>
    public BenchRequest TurnRequest(long session, int turn, List<ChatMessage> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var random = new Random(Seeds.Mix(seed, (session * 1024) + turn));
        var user = PromptText.Of(random, userTokens);
        history.Add(new ChatMessage("user", user));
        return new BenchRequest
        {
            Messages = [.. history],
            PromptText = user,
            MaxTokens = replyTokens,
            IgnoreEos = true,
            MinTokens = replyTokens,
            SessionId = session >= 0 ? $"s{session}" : null,
            Turn = session >= 0 ? turn : null,
        };
    }

    /// <summary>Appends the reply of a finished turn to the history: filler words of the reply's length.</summary>
    public void AddReply(List<ChatMessage> history, long session, int turn, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(history);
        history.Add(new ChatMessage("assistant", PromptText.Of(new Random(Seeds.Mix(seed ^ 0x5EED, (session * 1024) + turn)), Math.Max(1, outputTokens))));
    }

    /// <summary>Think time before <paramref name="turn"/> (exponential with the given mean, seeded per session and turn).</summary>
    public double ThinkSeconds(long session, int turn, double meanSeconds) =>
        meanSeconds <= 0 ? 0 : -Math.Log(1 - new Random(Seeds.Mix(seed ^ 0x7417, (session * 1024) + turn)).NextDouble()) * meanSeconds;
}
