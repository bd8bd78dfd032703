namespace Tpd.Telemetry.Prometheus;

/// <summary>Where /metrics text comes from.</summary>
public interface IMetricsSource
{
    Task<MetricsScrape> ScrapeAsync(CancellationToken cancellationToken);
}

/// <summary>GETs a serving engine's /metrics over HTTP. The caller owns the HttpClient (and its timeout).</summary>
public sealed class HttpMetricsSource(HttpClient client, Uri metricsUri) : IMetricsSource
{
    public async Task<MetricsScrape> ScrapeAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(metricsUri, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"GET {metricsUri} answered {(int)response.StatusCode} {response.ReasonPhrase}; vLLM and TGI serve /metrics by default, SGLang needs --enable-metrics",
                null,
                response.StatusCode);
        }

        return PrometheusTextParser.Parse(body);
    }
}

/// <summary>Two scrapes a window apart, turned into an <see cref="EngineWindow"/>. The pause goes through a TimeProvider so tests need not sleep.</summary>
public static class EngineSampler
{
    public static async Task<EngineWindow> SampleAsync(IMetricsSource source, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(time);
        var first = EngineMetricsNormalizer.Normalize(await source.ScrapeAsync(cancellationToken).ConfigureAwait(false));
        var start = time.GetTimestamp();
        await Task.Delay(window, time, cancellationToken).ConfigureAwait(false);
        var second = EngineMetricsNormalizer.Normalize(await source.ScrapeAsync(cancellationToken).ConfigureAwait(false));
        var elapsed = time.GetElapsedTime(start);
        return EngineWindow.Between(first, second, Tpd.Core.Units.Duration.FromSeconds(elapsed.TotalSeconds));
    }
}
