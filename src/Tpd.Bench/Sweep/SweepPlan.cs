using Tpd.Bench.Load;

namespace Tpd.Bench.Sweep;

/// <summary>Which kind of point of a sweep.</summary>
public enum SweepPointKind
{
    /// <summary>One request at a time (closed loop, concurrency 1): the server's best latency and lowest throughput.</summary>
    Synchronous,

    /// <summary>Many requests at once (closed loop, high concurrency): the most the server can push through.</summary>
    Saturation,

    /// <summary>An open-loop rate between the synchronous and saturation throughputs.</summary>
    Rate,
}

/// <summary>
/// A sweep in the manner of guidellm's: a synchronous point, a saturation point, then <see cref="Rates"/> open-loop
/// rates evenly spaced strictly between the two points' request throughputs, lowest first; the sweep stops at the
/// first over-saturated rate (<see cref="SaturationRule"/>). Every point is bounded by <see cref="Point"/>'s request
/// count and duration; its arrivals, seed, tolerance and concurrency cap apply to the rate points.
/// </summary>
public sealed record SweepPlan
{
    /// <summary>Open-loop rates between synchronous and saturation. Default 5: with the two ends, 7 points (guidellm's default sweep has 10).</summary>
    public int Rates { get; init; } = 5;

    /// <summary>
    /// Requests in flight at the saturation point. Default 256, vLLM's max_num_seqs on GPUs under 70 GiB: enough to
    /// fill the running batch of most deployments (large GPUs run up to 1024; raise it there).
    /// </summary>
    public int SaturationConcurrency { get; init; } = 256;

    /// <summary>Bounds, arrivals, seed and tolerance of every point; its <see cref="LoadPlan.Concurrency"/> caps the rate points (null: no cap).</summary>
    public required LoadPlan Point { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Rates is < 1 or > 100)
            errors.Add($"sweep rates {Rates} must be 1 to 100");
        if (SaturationConcurrency < 2)
            errors.Add($"saturation concurrency {SaturationConcurrency} must be at least 2");
        if (Point.MaxRequests is null && Point.MaxDuration is null)
            errors.Add("each sweep point needs a request count or a duration");
        return errors;
    }

    /// <summary>The synchronous point's plan; the sweep's warm-up runs before it (and only there).</summary>
    public LoadPlan Synchronous => Point with { Rate = null, SendTimes = null, Concurrency = 1 };

    /// <summary>The saturation point's plan: the concurrency, but never more than the point's request count.</summary>
    public LoadPlan Saturation => Point with
    {
        Rate = null,
        SendTimes = null,
        Concurrency = Point.MaxRequests is { } n ? Math.Min(SaturationConcurrency, n) : SaturationConcurrency,
        Warmup = 0,
    };

    /// <summary>
    /// The rates between the two ends: lo + (hi - lo) x i / (N + 1) for i = 1..N, lo and hi the lower and higher of
    /// the two throughputs (a server that does not batch can be slower at saturation than alone).
    /// </summary>
    public IReadOnlyList<double> RatesBetween(double synchronousRate, double saturationRate)
    {
        var lo = Math.Min(synchronousRate, saturationRate);
        var hi = Math.Max(synchronousRate, saturationRate);
        return [.. Enumerable.Range(1, Rates).Select(i => lo + ((hi - lo) * i / (Rates + 1)))];
    }
}
