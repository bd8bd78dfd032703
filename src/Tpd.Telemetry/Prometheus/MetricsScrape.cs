namespace Tpd.Telemetry.Prometheus;

/// <summary>A parsed /metrics page with lookups by sample name. Sums run over every label set, which is how
/// vLLM's per-engine series (label <c>engine</c>) and data-parallel ranks add up to the server's total.</summary>
public sealed class MetricsScrape
{
    private readonly Dictionary<string, List<MetricSample>> _bySample = new(StringComparer.Ordinal);

    public MetricsScrape(IReadOnlyList<MetricFamily> families)
    {
        Families = families;
        foreach (var s in families.SelectMany(f => f.Samples))
        {
            if (!_bySample.TryGetValue(s.Name, out var list))
                _bySample[s.Name] = list = [];
            list.Add(s);
        }
    }

    public IReadOnlyList<MetricFamily> Families { get; }

    public MetricFamily? Family(string name) => Families.FirstOrDefault(f => f.Name == name);

    public bool Has(string sampleName) => _bySample.ContainsKey(sampleName);

    public IReadOnlyList<MetricSample> Samples(string sampleName) =>
        _bySample.TryGetValue(sampleName, out var list) ? list : [];

    /// <summary>Sum over all label sets; null when no such sample exists (absent is not zero).</summary>
    public double? Sum(string sampleName) =>
        _bySample.TryGetValue(sampleName, out var list) ? list.Sum(s => s.Value) : null;

    public double? Max(string sampleName) =>
        _bySample.TryGetValue(sampleName, out var list) ? list.Max(s => s.Value) : null;

    /// <summary>
    /// A histogram (or summary) family summed over its label sets: _sum, _count and cumulative _bucket counts
    /// per upper bound. Null when neither _sum nor _count exists.
    /// </summary>
    public HistogramTotals? Histogram(string familyName)
    {
        var sum = Sum(familyName + "_sum");
        var count = Sum(familyName + "_count");
        if (sum is null && count is null)
            return null;
        var buckets = Samples(familyName + "_bucket")
            .Select(s => (Le: ParseLe(s.Label("le")), s.Value))
            .Where(b => b.Le is { } le && !double.IsNaN(le))
            .GroupBy(b => b.Le!.Value)
            .OrderBy(g => g.Key)
            .Select(g => new HistogramBucket(g.Key, g.Sum(b => b.Value)))
            .ToList();
        return new HistogramTotals(sum ?? 0, count ?? 0, buckets);
    }

    private static double? ParseLe(string? le) => le is null ? null : PrometheusTextParser.ParseValue(le);
}
