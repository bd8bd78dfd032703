namespace Tpd.Telemetry.Prometheus;

/// <summary>
/// An engine metric whose value cannot be what the metric means (NaN or infinite token counters, a negative
/// queue, KV usage above 1): left out of the snapshot and reported, so a finding never quotes it.
/// </summary>
public sealed record InvalidMetric(string Metric, string Value, string Expected);
