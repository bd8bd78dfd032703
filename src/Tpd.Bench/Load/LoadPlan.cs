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

    /// <summary>Closed loop: users. Open loop: the most requests in flight, or null for no cap.</summary>
    public int? Concurrency { get; init; }

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

    public bool IsOpenLoop => Rate is not null;

    /// <summary>Every problem with the plan, each with the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Rate is { } r && !(r > 0 && double.IsFinite(r)))
            errors.Add($"rate {r} is not a positive number of requests per second");
        if (Rate is null && Concurrency is not > 0)
            errors.Add("closed loop needs a concurrency of at least 1 (or give a rate for open loop)");
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
