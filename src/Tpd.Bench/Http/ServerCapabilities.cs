namespace Tpd.Bench.Http;

/// <summary>What the endpoint accepts, found by <see cref="CapabilityProbe"/>; the client leaves out what it lacks.</summary>
public sealed record ServerCapabilities
{
    /// <summary>stream_options.include_usage yields a usage chunk (else N_out is counted from events).</summary>
    public bool UsageChunk { get; init; } = true;

    /// <summary>/v1/completions accepts a list of token ids as prompt.</summary>
    public bool TokenIdPrompts { get; init; } = true;

    public bool IgnoreEos { get; init; } = true;
    public bool MinTokens { get; init; } = true;

    /// <summary>Everything supported: what vLLM and SGLang accept; the default before probing.</summary>
    public static ServerCapabilities All { get; } = new();
}
