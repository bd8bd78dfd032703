using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Tests.Prometheus;

public class HttpMetricsSourceTests
{
    /// <summary>A Kestrel host on 127.0.0.1 (free port) serving a vLLM-style counter that grows 100 per scrape.</summary>
    private static async Task<(WebApplication App, Uri Metrics)> StartAsync(int status = 200)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var scrapes = 0;
        app.MapGet("/metrics", (HttpContext ctx) =>
        {
            var n = Interlocked.Increment(ref scrapes);
            ctx.Response.StatusCode = status;
            return $"# TYPE vllm:generation_tokens_total counter\nvllm:generation_tokens_total{{engine=\"0\",model_name=\"m\"}} {n * 100}.0\n";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(new Uri(address), "/metrics"));
    }

    [Fact]
    public async Task ScrapeAsync_reads_a_live_metrics_endpoint()
    {
        var (app, uri) = await StartAsync();
        await using var _ = app;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var scrape = await new HttpMetricsSource(client, uri).ScrapeAsync(CancellationToken.None);
        scrape.Sum("vllm:generation_tokens_total").ShouldBe(100);
    }

    [Fact]
    public async Task SampleAsync_turns_two_live_scrapes_into_a_token_rate()
    {
        var (app, uri) = await StartAsync();
        await using var _ = app;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var w = await EngineSampler.SampleAsync(new HttpMetricsSource(client, uri), TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None);
        w.Engine.ShouldBe(ServingEngine.Vllm);
        w.Window.Seconds.ShouldBeGreaterThan(0.15); // timers may fire a millisecond early
        w.GenerationTokenRate!.Value.TokensInWindow(w).ShouldBe(100, 1e-6);
    }

    [Fact]
    public async Task ScrapeAsync_reports_an_error_status_with_the_hint_for_sglang()
    {
        var (app, uri) = await StartAsync(status: 404);
        await using var _ = app;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var e = await Should.ThrowAsync<HttpRequestException>(() => new HttpMetricsSource(client, uri).ScrapeAsync(CancellationToken.None));
        e.Message.ShouldContain("404");
        e.Message.ShouldContain("--enable-metrics");
    }
}

internal static class TokenRateTestExtensions
{
    public static double TokensInWindow(this Tpd.Core.Units.TokenRate rate, EngineWindow w) => rate.TokensIn(w.Window);
}
