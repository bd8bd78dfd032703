using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>
/// The gateway in front of real `tpd twin` workers (issue 6, "Done when"): different speeds and prices, and the
/// OpenAI SDK through the gateway. Drain and readmission of a slowed worker, a worker killed mid-run, auth, allowlist,
/// size limit and 429 run on both kinds (FaultAndDrainTests, SecurityTests, a case per kind).
/// </summary>
public sealed class TwinWorkerTests
{
    [Fact]
    public async Task Least_outstanding_sends_more_requests_to_the_faster_twin_and_meters_each_in_dollars()
    {
        // 32 tokens: 80 ms on the fast twin, 640 ms on the slow one. The per-request cost of the client, gateway and
        // twin (about 0.2 s each on a loaded CI box) adds to both; at 16 tokens on 400 vs 100 tokens/s it swamped the
        // 4x difference and the two got equal shares.
        var workers = await Workers.StartAsync("twin", new WorkerSpec("fast", TokensPerSecond: 400), new WorkerSpec("slow", TokensPerSecond: 50));
        await using var g = await GatewayHarness.StartAsync(workers, prices: [4.0, 1.0]);

        var results = await g.LoadAsync(6, TimeSpan.FromSeconds(2.5), GatewayHarness.Chat(maxTokens: 32, extra: ",\"ignore_eos\":true"));

        results.ShouldAllBe(r => r.Ok);
        var fast = results.Count(r => r.Worker == "fast");
        var slow = results.Count(r => r.Worker == "slow");
        fast.ShouldBeGreaterThan(slow * 2, $"fast {fast}, slow {slow}"); // 8x the speed, fewer requests outstanding
        (workers[0].Requests + workers[1].Requests).ShouldBeGreaterThanOrEqualTo(results.Count);
        var metrics = await g.Client.GetStringAsync("metrics");
        metrics.ShouldContain("worker=\"fast\"");
        metrics.ShouldContain("worker=\"slow\"");
    }

    [Fact]
    public async Task The_official_OpenAI_SDK_streams_from_twins_through_the_gateway()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync("twin", new WorkerSpec("w0"), new WorkerSpec("w1")));
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
