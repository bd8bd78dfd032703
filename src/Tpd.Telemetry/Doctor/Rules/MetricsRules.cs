using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>
/// Whether the two scrapes can be trusted at all: the engine changed or its metrics vanished between them (a
/// restart into another server, an empty page), or a metric holds a value it cannot have (NaN token counts).
/// Each says which metrics, so the other engine findings are read knowing what they rest on.
/// </summary>
internal static class MetricsRules
{
    public static IEnumerable<Finding> Evaluate(EngineWindow w)
    {
        var subject = $"engine ({w.EarlierEngine ?? w.Engine})";
        if (w.EarlierEngine is { } before)
        {
            yield return new Finding
            {
                Id = "engine.metrics-changed",
                Severity = Severity.Warning,
                Subject = subject,
                Title = w.Engine == ServingEngine.Unknown
                    ? $"the {before} metrics vanished between the scrapes: the second page has no serving-engine metrics, so nothing was measured"
                    : $"the metrics changed from {before} to {w.Engine} between the scrapes, so nothing was measured",
                Evidence =
                [
                    new("first scrape", before.ToString()),
                    new("second scrape", w.Engine == ServingEngine.Unknown ? "no vLLM, SGLang or TGI metrics" : w.Engine.ToString()),
                    .. w.VanishedMetrics.Take(10).Select(m => new Evidence("vanished", m)),
                ],
                Fix = "check that the URL reaches one engine (not a load balancer over mixed servers) and that it did not restart or crash; scrape again",
            };
        }
        else if (w.VanishedMetrics.Count > 0)
        {
            yield return new Finding
            {
                Id = "engine.metrics-changed",
                Severity = Severity.Warning,
                Subject = subject,
                Title = $"{w.VanishedMetrics.Count} metric(s) of the first scrape vanished from the second, so their changes were not measured",
                Evidence = [.. w.VanishedMetrics.Take(10).Select(m => new Evidence("vanished", m))],
                Fix = "check whether the engine restarted or was reconfigured between the scrapes; scrape again",
            };
        }

        if (w.InvalidMetrics.Count > 0)
        {
            yield return new Finding
            {
                Id = "engine.metrics-invalid",
                Severity = Severity.Warning,
                Subject = subject,
                Title = $"{w.InvalidMetrics.Count} metric value(s) cannot be what the metric means and were left out",
                Evidence = [.. w.InvalidMetrics.Take(10).Select(m => new Evidence(m.Metric, $"{m.Value} (expected {m.Expected})"))],
                Fix = "check the engine version and whatever sits between it and this URL (a proxy rewriting the page); the figures that need these metrics were not computed",
            };
        }
    }
}
