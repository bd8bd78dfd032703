namespace Tpd.Bench.Load;

/// <summary>
/// How to load the endpoint. Closed loop: <see cref="Concurrency"/> users each send their next request as soon
/// as the last one ends. Open loop: requests due at precomputed times from <see cref="Rate"/> and
/// <see cref="Arrivals"/>, optionally capped at <see cref="Concurrency"/> in flight (a request waits for a slot;
/// the wait shows as client queueing and lateness). The run stops at <see cref="MaxRequests"/> or
/// <see cref="MaxDuration"/>, whichever comes first; in-flight requests then finish.
/// </summary>
public sealed record LoadPlan
{
    /// <summary>Requests per second; null for closed loop.</summary>
    public double? Rate { get; init; }

    public ArrivalProcess Arrivals { get; init; } = ArrivalProcess.Poisson;

    /// <summary>Coefficient of variation of gamma gaps.</summary>
    public double GammaCv { get; init; } = 1.0;

    /// <summary>Closed loop: users. Open loop: the most requests in flight, or null for no cap. Sessions: sessions in flight.</summary>
    public int? Concurrency { get; init; }

    /// <summary>
    /// Trace replay: send times in seconds from the start of the measured phase, ascending (instead of
    /// <see cref="Rate"/>); the n-th request of the source goes at the n-th time.
    /// </summary>
    public IReadOnlyList<double>? SendTimes { get; init; }

    /// <summary>Multi-turn chat sessions (the source must be a <see cref="Sources.ChatSessionSource"/>); <see cref="Concurrency"/> sessions run at once.</summary>
    public SessionPlan? Sessions { get; init; }

    public int? MaxRequests { get; init; }
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Requests sent before the measured phase and marked warm-up; excluded from statistics.</summary>
    public int Warmup { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>
    /// A request sent more than this after its due time counts as late. 10 ms: about one timer tick plus
    /// scheduling on a busy client; below TTFTs worth measuring.
    /// </summary>
    public TimeSpan LatenessTolerance { get; init; } = TimeSpan.FromMilliseconds(10);

    public bool IsOpenLoop => Rate is not null || SendTimes is not null;

    /// <summary>
    /// The rate the schedule asks for: <see cref="Rate"/>, or for a trace (n - 1) / (last - first send time) over the
    /// requests the count bound lets through; null for closed loop and sessions.
    /// </summary>
    public double? TargetRate
    {
        get
        {
            if (Rate is { } r)
                return r;
            if (SendTimes is not { Count: >= 2 } t)
                return null;
            var n = Math.Min(t.Count, MaxRequests ?? int.MaxValue);
            return n >= 2 && t[n - 1] > t[0] ? (n - 1) / (t[n - 1] - t[0]) : null;
        }
    }

    /// <summary>Every problem with the plan, each with the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Rate is { } r && !(r > 0 && double.IsFinite(r)))
            errors.Add($"rate {r} is not a positive number of requests per second");
        if (Rate is null && SendTimes is null && Concurrency is not > 0)
            errors.Add(Sessions is null ? "closed loop needs a concurrency of at least 1 (or give a rate for open loop)" : "sessions need a number of sessions in flight of at least 1");
        if (Rate is not null && SendTimes is not null)
            errors.Add("give a rate or a trace's send times, not both");
        if (Sessions is not null && IsOpenLoop)
            errors.Add("sessions run closed loop (each turn waits for the last reply); drop the rate or the trace");
        if (SendTimes is { } times && (times.Count == 0 || times.Zip(times.Skip(1), (a, b) => b < a).Any(x => x) || times.Any(x => !(x >= 0 && double.IsFinite(x)))))
            errors.Add("trace send times must be non-empty, finite, 0 or more and ascending");
        if (Sessions is { } ses && !(ses.MeanThinkSeconds >= 0 && double.IsFinite(ses.MeanThinkSeconds)))
            errors.Add($"think time {ses.MeanThinkSeconds} s must be 0 or more");
        if (Concurrency is <= 0)
            errors.Add($"concurrency {Concurrency} must be at least 1");
        if (MaxRequests is null && MaxDuration is null)
            errors.Add("the run is unbounded; give a request count, a duration, or both");
        if (MaxRequests is <= 0)
            errors.Add($"request count {MaxRequests} must be at least 1");
        if (MaxDuration is { } d && d <= TimeSpan.Zero)
            errors.Add($"duration {d.TotalSeconds} s must be positive");
        if (Warmup < 0)
            errors.Add($"warm-up {Warmup} must be 0 or more");
        if (Arrivals == ArrivalProcess.Gamma && !(GammaCv > 0 && double.IsFinite(GammaCv)))
            errors.Add($"gamma CV {GammaCv} must be positive (1 is Poisson)");
        return errors;
    }
}

/// <summary>Multi-turn chat: each session sends its source's turns, waiting an exponential think time of mean <see cref="MeanThinkSeconds"/> after each reply.</summary>
public sealed record SessionPlan
{
    /// <summary>Mean think time between a reply's end and the next user message. Default 1 s: a benchmark setting, not the 30 s of a real reader (which would leave the server idle).</summary>
    public double MeanThinkSeconds { get; init; } = 1;
}
