using System.ClientModel;
using System.Net;
using OpenAI;
using OpenAI.Chat;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>
/// The gateway in front of real `tpd twin` workers (issue 6, "Done when"): different speeds and prices, a twin slowed
/// by its slowdown fault, a twin killed mid-run, and the OpenAI SDK through the gateway. The rest of the suite runs
/// the same scenarios on the lighter fake workers.
/// Runs in the fault tests' collection (alone): it kills a twin and relies on its port staying dead.
/// </summary>
[Collection(nameof(FaultAndDrainTests))]
public sealed class TwinWorkerTests
{
    private static readonly TwinWorkerFactory Twins = new();

    private static async Task<List<ITestWorker>> StartAsync(params WorkerSpec[] specs) => [.. await Task.WhenAll(specs.Select(Twins.StartAsync))];

    [Fact]
    public async Task Least_outstanding_sends_more_requests_to_the_faster_twin_and_meters_each_in_dollars()
    {
        var workers = await StartAsync(new WorkerSpec("fast", TokensPerSecond: 400), new WorkerSpec("slow", TokensPerSecond: 100));
        await using var g = await GatewayHarness.StartAsync(workers, prices: [4.0, 1.0]);

        var results = await g.LoadAsync(6, TimeSpan.FromSeconds(2.5), GatewayHarness.Chat(maxTokens: 16));

        results.ShouldAllBe(r => r.Ok);
        var fast = results.Count(r => r.Worker == "fast");
        var slow = results.Count(r => r.Worker == "slow");
        fast.ShouldBeGreaterThan(slow * 2, $"fast {fast}, slow {slow}"); // 4x the speed, fewer requests outstanding
        (workers[0].Requests + workers[1].Requests).ShouldBeGreaterThanOrEqualTo(results.Count);
        var metrics = await g.Client.GetStringAsync("metrics");
        metrics.ShouldContain("worker=\"fast\"");
        metrics.ShouldContain("worker=\"slow\"");
    }

    [Fact]
    public async Task A_twin_slowed_by_its_fault_at_the_same_price_is_drained_then_readmitted_after_it_recovers()
    {
        var workers = await StartAsync(new WorkerSpec("steady", 200), new WorkerSpec("throttled", 200));
        await using var g = await GatewayHarness.StartAsync(workers, """
            drain:
              window_seconds: 0.3
              windows: 2
              min_in_flight: 1
              relative_to_median: 0.5
              probe_interval_seconds: 0.2
              readmit_probes: 2
              probe_tokens: 12
            """);
        var throttled = g.Runtime.Worker("throttled")!;
        var phase = 0;

        var results = await g.LoadAsync(8, TimeSpan.FromSeconds(15), GatewayHarness.Chat(maxTokens: 16), until: () => Volatile.Read(ref phase) == 3, onTick: t =>
        {
            lock (workers)
            {
                if (phase == 0 && t > TimeSpan.FromSeconds(0.5))
                {
                    workers[1].SetSlowdown(5); // the twin's thermal-throttling fault: every step 5x longer
                    phase = 1;
                }
                else if (phase == 1 && (throttled.Block & WorkerBlock.AutoDrained) != 0)
                {
                    workers[1].SetSlowdown(1);
                    phase = 2;
                }
                else if (phase == 2 && throttled.Eligible)
                {
                    phase = 3;
                }
            }
        });

        phase.ShouldBe(3, $"logs:\n{g.Logs.All}");
        results.ShouldAllBe(r => r.Ok);
        g.Logs.All.ShouldContain("worker throttled drained");
        g.Logs.All.ShouldContain("worker throttled readmitted");
        g.Logs.All.ShouldNotContain("worker steady drained");
    }

    [Fact]
    public async Task A_twin_killed_mid_run_loses_no_request_silently()
    {
        var workers = await StartAsync(new WorkerSpec("a", 100), new WorkerSpec("b", 100), new WorkerSpec("c", 100));
        await using var g = await GatewayHarness.StartAsync(workers, "health:\n  interval_seconds: 0.2\n  failures_to_eject: 1\n");
        var killed = false;
        var results = await g.LoadAsync(9, TimeSpan.FromSeconds(8), GatewayHarness.Chat(maxTokens: 40), until: () => Volatile.Read(ref killed) && !g.Runtime.Worker("b")!.Eligible, onTick: t =>
        {
            lock (workers)
            {
                if (!killed && t > TimeSpan.FromSeconds(0.4) && workers[1].InFlight >= 2)
                {
                    killed = true;
                    _ = workers[1].KillAsync();
                }
            }
        });
        killed.ShouldBeTrue();

        var c = g.Runtime.Counters;
        for (var i = 0; i < 50 && c.Finished < c.Received; i++)
            await Task.Delay(20);
        var ok = results.Count(r => r.Ok);
        var streamErrors = results.Count(r => r.Status == HttpStatusCode.OK && r.HasErrorFrame && r.Done);
        var failed = results.Count(r => r.Status == HttpStatusCode.BadGateway);
        (ok + streamErrors + failed).ShouldBe(results.Count); // every request ended visibly
        c.Received.ShouldBe(results.Count);
        c.Finished.ShouldBe(c.Received);
        c.Count(Outcome.Ok).ShouldBe(ok);
        (c.Count(Outcome.StreamError) + c.Count(Outcome.UpstreamFailed)).ShouldBe(streamErrors + failed);
        (streamErrors + c.Retries).ShouldBeGreaterThan(0); // the killed twin's streams were cut or retried
        ok.ShouldBeGreaterThan(results.Count / 2);
    }

    [Fact]
    public async Task The_official_OpenAI_SDK_streams_from_twins_through_the_gateway()
    {
        await using var g = await GatewayHarness.StartAsync(await StartAsync(new WorkerSpec("w0"), new WorkerSpec("w1")));
        var client = new ChatClient("fake-model", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(g.Server.BaseUri, "v1") });

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello twin")], new ChatCompletionOptions { MaxOutputTokenCount = 6 }))
        {
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            usage ??= update.Usage;
        }

        text.ToString().ShouldNotBeNullOrWhiteSpace();
        usage.ShouldNotBeNull();
        usage.OutputTokenCount.ShouldBeInRange(1, 6); // the twin may stop early without ignore_eos, as a model does
    }
}
