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
        using var response = await client.GetAsync(metricsUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"GET {metricsUri} answered {(int)response.StatusCode} {response.ReasonPhrase}; vLLM and TGI serve /metrics by default, SGLang needs --enable-metrics",
                null,
                response.StatusCode);
        }

        return PrometheusTextParser.Parse(body);
    }

    /// <summary>Reads one character past <see cref="MetricsLimits.MaxChars"/> at most, so an endless page cannot fill memory; the parser reports it.</summary>
    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            return await BoundedText.ReadAsync(reader, MetricsLimits.MaxChars, cancellationToken).ConfigureAwait(false);
        }
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
        var elapsed = Tpd.Core.Units.Duration.FromSeconds(time.GetElapsedTime(start).TotalSeconds);
        // The server decides what each scrape holds: a restart into another engine, or an empty page, is a finding, not a crash.
        return first.Engine == second.Engine
            ? EngineWindow.Between(first, second, elapsed)
            : EngineWindow.Changed(first, second, elapsed);
    }
}
