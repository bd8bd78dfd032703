namespace Tpd.Core.Measurement;

/// <summary>How a request ended (MEASURE.md): only Ok requests enter latency statistics.</summary>
public enum RequestOutcome
{
    Ok,

    /// <summary>The stream ended before [DONE] or before the expected tokens.</summary>
    Incomplete,

    /// <summary>HTTP error status, error event inside a 200 stream, timeout or connection reset.</summary>
    Error,
}

/// <summary>Where an output token count came from.</summary>
public enum TokenCountSource
{
    /// <summary>The server's usage object.</summary>
    Usage,

    /// <summary>Counted token-bearing events (a fallback, flagged with a warning).</summary>
    EventCount,

    /// <summary>Exact, from the simulator.</summary>
    Simulated,
}

/// <summary>
/// One request as measured by bench or produced by the simulator, with the MEASURE.md timestamps in
/// seconds since the start of the run (monotonic clock for bench, SimTime for the simulator).
/// Times that did not happen are null.
/// </summary>
public sealed record RequestRecord
{
    public required long Id { get; init; }
    public required RequestOutcome Outcome { get; init; }

    /// <summary>Error class ("http_429", "error_event", "timeout", "connection_reset", ...), null when Ok.</summary>
    public string? ErrorClass { get; init; }

    public int? HttpStatus { get; init; }

    /// <summary>What the server or the transport said about the failure (truncated), null when Ok.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>t_sched: when the request was due (open loop) or became ready (closed loop).</summary>
    public required double ScheduledSeconds { get; init; }

    /// <summary>t_send: just before the request bytes were written (simulator: arrival at the replica).</summary>
    public required double SendSeconds { get; init; }

    public double? HeadersSeconds { get; init; }

    /// <summary>t_first: first token-bearing event.</summary>
    public double? FirstTokenSeconds { get; init; }

    /// <summary>t_first_content: first non-reasoning content event (reasoning models).</summary>
    public double? FirstContentSeconds { get; init; }

    /// <summary>t_last: last token-bearing event.</summary>
    public double? LastTokenSeconds { get; init; }

    /// <summary>t_end: [DONE] or end of stream.</summary>
    public double? EndSeconds { get; init; }

    public required int InputTokens { get; init; }
    public required int OutputTokens { get; init; }
    public TokenCountSource OutputTokensSource { get; init; } = TokenCountSource.Usage;

    /// <summary>Output tokens the request asked for (max_tokens), to check output-length validity.</summary>
    public int? RequestedOutputTokens { get; init; }

    /// <summary>Prompt tokens served from the prefix cache (server-reported or simulated).</summary>
    public int CachedInputTokens { get; init; }

    /// <summary>Times this request was preempted (simulator; vLLM recompute).</summary>
    public int Preemptions { get; init; }

    /// <summary>Gaps between consecutive token-bearing events, in seconds (ITL samples); empty when not kept.</summary>
    public IReadOnlyList<double> InterTokenGaps { get; init; } = [];

    public string? SessionId { get; init; }

    /// <summary>Turn of a multi-turn session, 0-based (bench --sessions); null outside sessions.</summary>
    public int? Turn { get; init; }

    /// <summary>Replica (simulator) or worker (gateway) that served it; -1 when not applicable.</summary>
    public int Replica { get; init; } = -1;

    /// <summary>True for warm-up requests, which are excluded from statistics.</summary>
    public bool Warmup { get; init; }

    public double? TtftSeconds => FirstTokenSeconds - SendSeconds;
    public double? E2eSeconds => LastTokenSeconds - SendSeconds;

    /// <summary>(E2E - TTFT) / (N_out - 1) for N_out >= 2.</summary>
    public double? TpotSeconds => OutputTokens >= 2 && LastTokenSeconds is { } last && FirstTokenSeconds is { } first
        ? (last - first) / (OutputTokens - 1)
        : null;
}
