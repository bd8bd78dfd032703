namespace Tpd.Core.Measurement;

/// <summary>
/// Distribution of one latency metric over the ok requests of a run, in seconds. Percentiles use linear
/// interpolation (NumPy default); the standard deviation is the population one (ddof = 0).
/// </summary>
public sealed record LatencyStats
{
    private readonly double[] _sorted;

    private LatencyStats(LatencyMetric metric, double[] sorted)
    {
        Metric = metric;
        _sorted = sorted;
        Mean = Percentiles.Mean(sorted);
        Std = Percentiles.PopulationStd(sorted);
        P50 = Percentile(50);
        P90 = Percentile(90);
        P95 = Percentile(95);
        P99 = Percentile(99);
    }

    public LatencyMetric Metric { get; }

    /// <summary>How the per-sample value is computed and what one sample is (a request or a gap).</summary>
    public string Formula => Formulas.Of(Metric);

    public int Count => _sorted.Length;
    public double Mean { get; }
    public double Std { get; }
    public double Min => _sorted[0];
    public double Max => _sorted[^1];
    public double P50 { get; }
    public double P90 { get; }
    public double P95 { get; }
    public double P99 { get; }

    /// <summary>The samples in ascending order, for other tools' variants and histograms.</summary>
    public ReadOnlySpan<double> Sorted => _sorted;

    /// <summary>Any percentile (0 to 100), linear interpolation as numpy.percentile.</summary>
    public double Percentile(double percentile) => Percentiles.Linear(_sorted, percentile);

    /// <summary>Statistics of the samples, or null when there are none (no ok request produced that metric).</summary>
    public static LatencyStats? Of(LatencyMetric metric, IEnumerable<double> samples)
    {
        var sorted = samples.ToArray();
        if (sorted.Length == 0)
            return null;
        Array.Sort(sorted);
        return new LatencyStats(metric, sorted);
    }
}
