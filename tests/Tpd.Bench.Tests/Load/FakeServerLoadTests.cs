using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;
using Tpd.TestKit.Fakes;

namespace Tpd.Bench.Tests.Load;

/// <summary>Wall-clock latency comparisons run alone in this assembly: beside its other tests a 1 ms wait took 200 ms.</summary>
[CollectionDefinition(nameof(FakeServerLoadTests), DisableParallelization = true)]
public sealed class FakeServerLoadRunsAlone;

/// <summary>The fake server's latency by load, which sweep tests and docs rely on to show a knee.</summary>
[Collection(nameof(FakeServerLoadTests))]
public class FakeServerLoadTests
{
    private static async Task<RunSummary> Run(FakeServerOptions options, int concurrency)
    {
        await using var server = await FakeOpenAiServer.StartAsync(options);
        var clock = RunClock.From(TimeProvider.System);
        var endpoint = new EndpointOptions { BaseUri = server.BaseUri, Model = "m", RequestTimeout = TimeSpan.FromSeconds(10) };
        using var client = new OpenAiStreamClient(endpoint, clock);
        var result = await new LoadRunner(client, new RandomTokenSource(4, 5), clock).RunAsync(new LoadPlan { Concurrency = concurrency, MaxRequests = concurrency * 2 });
        return RunSummary.Of(result.Records);
    }

    [Fact]
    public async Task MaxRunning_queues_requests_before_their_first_token()
    {
        // One request generates at a time (about 20 + 4 x 2 ms); three in flight wait their turn, so TTFT grows.
        var s = await Run(new FakeServerOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(20), TokenDelay = TimeSpan.FromMilliseconds(2), MaxRunning = 1 }, 3);
        s.Ttft!.Max.ShouldBeGreaterThan(0.045);
        s.Ok.ShouldBe(6);
    }

    [Fact]
    public async Task SlowdownPerRequest_stretches_tokens_with_the_load()
    {
        // 40 ms per other request in flight: a signal (about 120 ms a token) well above the scheduling delays of a
        // loaded 2-core box, where even a 1 ms wait was seen to take tens of ms (10 ms per request was lost in them).
        var options = new FakeServerOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(1), TokenDelay = TimeSpan.FromMilliseconds(1), SlowdownPerRequest = TimeSpan.FromMilliseconds(40) };
        var alone = await Run(options, 1);
        var loaded = await Run(options, 4);
        // Alone: about 1 ms a token; with 3 others in flight: about 121 ms.
        loaded.Tpot!.P50.ShouldBeGreaterThan(alone.Tpot!.P50 + 0.06);
    }
}
