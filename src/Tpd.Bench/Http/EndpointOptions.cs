namespace Tpd.Bench.Http;

/// <summary>Which OpenAI-compatible API to load.</summary>
public enum ApiKind
{
    /// <summary>/v1/completions: prompt as text or token ids, tokens in choices[0].text.</summary>
    Completions,

    /// <summary>/v1/chat/completions: messages, tokens in choices[0].delta.</summary>
    ChatCompletions,
}

/// <summary>The endpoint under test.</summary>
public sealed record EndpointOptions
{
    /// <summary>Server root, for example http://127.0.0.1:8000 (the "/v1/..." path is appended).</summary>
    public required Uri BaseUri { get; init; }

    public required string Model { get; init; }
    public ApiKind Api { get; init; } = ApiKind.Completions;

    /// <summary>Sent as "Authorization: Bearer KEY" when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// Per-request limit from send to the end of the stream. Default 600 s: long enough for a 32k-token output
    /// at 20 ms/token, short enough that a hung stream does not stall a run (vLLM's bench uses 6 h; we prefer
    /// to see hangs as timeouts).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Limit for opening a connection; 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public Uri RequestUri => new(BaseUri, Api == ApiKind.Completions ? "v1/completions" : "v1/chat/completions");
}
