namespace Tpd.Telemetry.Prometheus;

/// <summary>One cumulative bucket: how many observations were at most <see cref="UpperBound"/>.</summary>
public readonly record struct HistogramBucket(double UpperBound, double CumulativeCount);

/// <summary>A histogram's totals. Differences of two scrapes (<see cref="Minus"/>) describe the window between them.</summary>
public sealed record HistogramTotals(double Sum, double Count, IReadOnlyList<HistogramBucket> Buckets)
{
    /// <summary>Sum / Count; null when nothing was observed.</summary>
    public double? Mean => Count > 0 ? Sum / Count : null;

    /// <summary>
    /// This minus an earlier scrape of the same histogram. A total that went down means the server restarted
    /// in between; then the later totals are the window (Prometheus' counter-reset rule).
    /// </summary>
    public HistogramTotals Minus(HistogramTotals earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (Count < earlier.Count || Sum < earlier.Sum)
            return this;
        var before = earlier.Buckets.ToDictionary(b => b.UpperBound, b => b.CumulativeCount);
        var buckets = Buckets
            .Select(b => new HistogramBucket(b.UpperBound, b.CumulativeCount - before.GetValueOrDefault(b.UpperBound)))
            .ToList();
        return new HistogramTotals(Sum - earlier.Sum, Count - earlier.Count, buckets);
    }

    /// <summary>
    /// The q-quantile by linear interpolation inside the bucket that holds it, as PromQL's histogram_quantile
    /// does (lowest bucket starts at 0; a quantile in the +Inf bucket returns the highest finite bound).
    /// Null without buckets or observations.
    /// </summary>
    public double? Quantile(double q)
    {
        if (q is < 0 or > 1 || double.IsNaN(q))
            throw new ArgumentOutOfRangeException(nameof(q), q, $"quantile must be between 0 and 1, got {q}");
        if (Buckets.Count == 0 || Count <= 0)
            return null;
        var total = Buckets[^1].CumulativeCount;
        if (total <= 0)
            return null;
        var rank = q * total;
        var lowerBound = 0.0;
        var lowerCount = 0.0;
        foreach (var b in Buckets)
        {
            if (b.CumulativeCount >= rank)
            {
                if (double.IsPositiveInfinity(b.UpperBound))
                    return lowerBound;
                var inBucket = b.CumulativeCount - lowerCount;
                return inBucket <= 0 ? b.UpperBound : lowerBound + ((b.UpperBound - lowerBound) * (rank - lowerCount) / inBucket);
            }

            lowerBound = b.UpperBound;
            lowerCount = b.CumulativeCount;
        }

        return lowerBound;
    }
}
