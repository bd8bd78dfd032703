using System.Diagnostics;
using System.Text.Json;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class ZeroDelayTests
{
    [Fact]
    public async Task Zero_delay_streams_every_token_at_once_in_the_same_format_and_counts_it()
    {
        // A step model of one second per step would take 200 s if the simulator were in the loop.
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(1, 1)) with { ZeroDelay = true });
        var clock = Stopwatch.StartNew();

        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions",
            """{"model":"llama-3.1-8b","prompt":[5,6,7],"max_tokens":200,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""");

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        status.ShouldBe(200);
        var frames = Http.Frames(body);
        frames.Count.ShouldBe(200 + 2);
        JsonDocument.Parse(frames[^2]).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(200);
        var metrics = await Http.GetAsync(twin.BaseUri, "metrics");
        metrics.ShouldContain("vllm:generation_tokens_total{model_name=\"llama-3.1-8b\"} 200.0");
        metrics.ShouldContain("vllm:prompt_tokens_total{model_name=\"llama-3.1-8b\"} 3.0");
        metrics.ShouldContain("vllm:num_requests_running{model_name=\"llama-3.1-8b\"} 0.0");
    }
}
