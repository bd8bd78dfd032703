namespace Tpd.Telemetry.Prometheus;

/// <summary>Metric types of the Prometheus text format (0.0.4) and OpenMetrics.</summary>
public enum MetricType
{
    Untyped,
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,
    StateSet,
    GaugeHistogram,
}

/// <summary>One line of a scrape: the sample name (with its _bucket/_sum/_count/_total suffix), labels in exposition order, value.</summary>
public sealed record MetricSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, long? TimestampMilliseconds = null)
{
    public string? Label(string name)
    {
        foreach (var (k, v) in Labels)
        {
            if (k == name)
                return v;
        }

        return null;
    }
}

/// <summary>A family: the name from its # TYPE line (or the sample name when untyped), its type, help text and samples.</summary>
public sealed record MetricFamily(string Name, MetricType Type, string? Help, IReadOnlyList<MetricSample> Samples);
