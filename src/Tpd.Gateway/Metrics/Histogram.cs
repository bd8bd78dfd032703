namespace Tpd.Gateway.Metrics;

/// <summary>A Prometheus histogram in seconds: fixed upper bounds, lock-free counts.</summary>
public sealed class Histogram
{
    /// <summary>Latency buckets from 1 ms to 2 min: TTFT and E2E of LLM requests span that range.</summary>
    public static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    /// <summary>Per-token buckets from 1 ms to 1 s: TPOT of a healthy engine is 5-100 ms.</summary>
    public static readonly double[] TokenBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.2, 0.5, 1];

    /// <summary>Gateway overhead buckets from 20 µs to 50 ms: the aim is under 1 ms at p99.</summary>
    public static readonly double[] OverheadBuckets = [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05];

    private readonly long[] _counts;
    private long _sumMicros;

    public Histogram(double[] bounds)
    {
        Bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    public double[] Bounds { get; }

    public void Observe(double seconds)
    {
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i])
            i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
    }

    public long Count
    {
        get
        {
            long n = 0;
            for (var i = 0; i < _counts.Length; i++)
                n += Volatile.Read(ref _counts[i]);
            return n;
        }
    }

    public double SumSeconds => Volatile.Read(ref _sumMicros) / 1e6;

    /// <summary>Cumulative counts per bound, then +Inf, as Prometheus wants them.</summary>
    public long[] Cumulative()
    {
        var result = new long[_counts.Length];
        long run = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            run += Volatile.Read(ref _counts[i]);
            result[i] = run;
        }
        return result;
    }

    /// <summary>An upper-bound estimate of a quantile (the bucket bound it falls in), for logs and tests.</summary>
    public double QuantileUpperBound(double q)
    {
        var cumulative = Cumulative();
        var total = cumulative[^1];
        if (total == 0)
            return double.NaN;
        var rank = q * total;
        for (var i = 0; i < Bounds.Length; i++)
        {
            if (cumulative[i] >= rank)
                return Bounds[i];
        }
        return double.PositiveInfinity;
    }
}
