using System.Diagnostics;
using System.Text.Json;
using Tpd.Twin.Server;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class FaultTests
{
    private const string Stream = """{"model":"llama-3.1-8b","prompt":"hi","max_tokens":12,"ignore_eos":true,"stream":true}""";

    private static TwinOptions Fast(TwinFaults faults) => Twins.Options(cost: Twins.Fixed(0.002, 0.001)) with { Faults = faults };

    [Theory]
    [InlineData(429, "RateLimitError")]
    [InlineData(503, "ServiceUnavailableError")]
    [InlineData(500, "InternalServerError")]
    [InlineData(400, "BadRequestError")]
    public async Task An_error_rate_of_one_answers_every_request_with_that_status_and_an_openai_error(int status, string type)
    {
        await using var twin = await Twins.StartAsync(Fast(new TwinFaults { ErrorRates = new Dictionary<int, double> { [status] = 1 }, RetryAfterSeconds = 3 }));

        var (got, body, headers, _) = await Http.PostAsync(twin.BaseUri, "v1/completions", Stream);

        got.ShouldBe(status);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe(type);
        if (status is 429 or 503)
            headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Error_draws_follow_the_seed_and_the_arrival_order()
    {
        async Task<List<int>> Statuses()
        {
            await using var twin = await Twins.StartAsync(Fast(new TwinFaults { ErrorRates = new Dictionary<int, double> { [429] = 0.3, [500] = 0.2 } }));
            var list = new List<int>();
            for (var i = 0; i < 30; i++)
                list.Add((await Http.PostAsync(twin.BaseUri, "v1/completions", """{"model":"llama-3.1-8b","prompt":"hi","max_tokens":1}""")).Status);
            return list;
        }

        var first = await Statuses();
        var second = await Statuses();

        second.ShouldBe(first);
        first.Count(s => s == 429).ShouldBeInRange(3, 17);
        first.Count(s => s == 500).ShouldBeInRange(1, 13);
        first.Count(s => s == 200).ShouldBeInRange(6, 24);
    }

    [Fact]
    public async Task A_cut_stream_stops_after_n_tokens_without_done()
    {
        await using var twin = await Twins.StartAsync(Fast(new TwinFaults { CutProbability = 1, CutAfterTokens = 3 }));
        using var http = Http.Client(twin.BaseUri);
        using var response = await Http.OpenAsync(http, "v1/completions", Stream);
        var text = new System.Text.StringBuilder();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        try
        {
            while (await reader.ReadLineAsync() is { } line)
                text.Append(line).Append('\n');
        }
        catch (IOException)
        {
            // The connection was reset: that is the fault.
        }
        catch (HttpRequestException)
        {
        }

        var body = text.ToString();
        body.ShouldNotContain("[DONE]");
        body.Split("data: ", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(3);
        await WaitForAsync(() => twin.Engine.Stats.Running == 0);
        twin.Engine.Stats.KvUsage.ShouldBe(0);
    }

    [Fact]
    public async Task A_stream_error_sends_one_error_frame_then_done()
    {
        await using var twin = await Twins.StartAsync(Fast(new TwinFaults { StreamErrorProbability = 1, CutAfterTokens = 2 }));

        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions", Stream);

        status.ShouldBe(200);
        var frames = Http.Frames(body);
        frames.Count.ShouldBe(4);
        JsonDocument.Parse(frames[2]).RootElement.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(500);
        frames[3].ShouldBe("[DONE]");
    }

    [Fact]
    public async Task Refused_connections_reset_requests_but_the_admin_api_still_answers_and_can_lift_it()
    {
        await using var twin = await Twins.StartAsync(Fast(new TwinFaults { RefuseConnections = true }));

        await Should.ThrowAsync<HttpRequestException>(() => Http.PostAsync(twin.BaseUri, "v1/completions", Stream));
        JsonDocument.Parse(await Http.GetAsync(twin.BaseUri, "twin/faults")).RootElement.GetProperty("refuse_connections").GetBoolean().ShouldBeTrue();
        var (status, _, _, _) = await Http.PostAsync(twin.BaseUri, "twin/faults", """{"refuse_connections": false}""");
        status.ShouldBe(200);
        (await Http.PostAsync(twin.BaseUri, "v1/completions", Stream)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_slowdown_set_at_runtime_through_the_admin_api_stretches_every_step()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.005, 0.005)));
        async Task<(double Wall, double Running)> Run()
        {
            var clock = Stopwatch.StartNew();
            await Http.PostAsync(twin.BaseUri, "v1/completions", """{"model":"llama-3.1-8b","prompt":"hi","max_tokens":40,"ignore_eos":true}""");
            var wall = clock.Elapsed.TotalSeconds;
            return (wall, Sum(await Http.GetAsync(twin.BaseUri, "metrics"), "vllm:request_inference_time_seconds"));
        }

        var normal = await Run();
        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "twin/faults", """{"slowdown": 3}""");
        var slow = await Run();

        status.ShouldBe(200);
        JsonDocument.Parse(body).RootElement.GetProperty("slowdown").GetDouble().ShouldBe(3);
        twin.Faults.Slowdown.ShouldBe(3);
        // 40 steps of 5 ms: 0.2 s running, then 0.6 s. Read from the engine's step ends, which a late wake-up of its thread
        // does not move (it catches up): the client's wall time of the normal request is not, since a loaded CI box
        // added 0.3 s to it.
        normal.Running.ShouldBe(0.2, 1e-6);
        (slow.Running - normal.Running).ShouldBe(0.6, 1e-6);
        // The engine never runs ahead of the wall clock, so the client cannot see the slowed request end sooner.
        slow.Wall.ShouldBeGreaterThan(0.595);
    }

    /// <summary>The _sum sample of a histogram in a Prometheus text page (the twin serves one model, so one series).</summary>
    private static double Sum(string metrics, string histogram)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(histogram + "_sum{", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_latency_spike_stalls_the_step()
    {
        await using var twin = await Twins.StartAsync(Fast(new TwinFaults { SpikeProbability = 1, SpikeSeconds = 0.1 }));
        var clock = Stopwatch.StartNew();

        await Http.PostAsync(twin.BaseUri, "v1/completions", """{"model":"llama-3.1-8b","prompt":"hi","max_tokens":3,"ignore_eos":true}""");

        // Three steps, each stalled 0.1 s.
        clock.Elapsed.TotalSeconds.ShouldBeGreaterThan(0.3);
    }

    [Theory]
    [InlineData("""{"slowdown": 0}""", "slowdown 0 must be in [0.01, 1000]")]
    [InlineData("""{"error_rates": {"418": 0.5}}""", "the twin injects only 400, 429, 500, 503")]
    [InlineData("""{"error_rates": {"429": 0.7, "500": 0.6}}""", "error rates add up to 1.3")]
    [InlineData("""{"bogus": 1}""", "unknown fault 'bogus'")]
    [InlineData("[1]", "must be a JSON object")]
    public async Task Invalid_faults_are_rejected_with_400_and_leave_the_faults_unchanged(string json, string message)
    {
        await using var twin = await Twins.StartAsync(Fast(TwinFaults.None));

        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "twin/faults", json);

        status.ShouldBe(400);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(message);
        twin.Faults.IsNone.ShouldBeTrue();
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(10);
        }
    }
}
