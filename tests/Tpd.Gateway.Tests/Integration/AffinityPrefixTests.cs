using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>
/// Why the affinity policy exists (issue 6): `tpd twin` workers reuse KV blocks of a repeated prompt prefix as vLLM
/// does, so a multi-turn chat kept on one worker finds its whole earlier conversation in that worker's prefix cache,
/// while least-outstanding spreads the turns and recomputes them. Hits are read from the twins' /metrics.
/// </summary>
public sealed class AffinityPrefixTests(ITestOutputHelper output)
{
    private const int Sessions = 4, Turns = 4, UserWords = 60, ReplyTokens = 24, SystemWords = 20;

    private static string Words(string prefix, int count) =>
        string.Join(" ", Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Runs every session's turns in order (sessions one after another) and returns the prefix-cache hit tokens of both twins and the prompt tokens of each turn.</summary>
    private static async Task<(double Hits, List<List<int>> Prompts)> ChatAsync(string routing)
    {
        var workers = await Workers.StartAsync("twin", new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers, routing);
        var system = Words("sys", SystemWords);
        var prompts = new List<List<int>>();
        for (var s = 0; s < Sessions; s++)
        {
            var messages = new List<object> { new { role = "system", content = system } };
            var turns = new List<int>();
            for (var t = 0; t < Turns; t++)
            {
                messages.Add(new { role = "user", content = Words($"s{s}t{t}w", UserWords) });
                var body = JsonSerializer.Serialize(new { model = "fake-model", messages, max_tokens = ReplyTokens, ignore_eos = true, stream = false });
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(body) };
                request.Headers.Add("x-session-id", $"session-{s}");
                using var response = await g.Client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                response.IsSuccessStatusCode.ShouldBeTrue(text);
                var root = JsonDocument.Parse(text).RootElement;
                turns.Add(root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
                messages.Add(new { role = "assistant", content = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() });
            }

            prompts.Add(turns);
        }

        double hits = 0;
        foreach (var w in workers)
        {
            using var http = new HttpClient { BaseAddress = w.BaseUri };
            var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
            var line = metrics.Split('\n').Single(l => l.StartsWith("vllm:prefix_cache_hits_total{", StringComparison.Ordinal));
            hits += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return (hits, prompts);
    }

    [Fact]
    public async Task Session_affinity_gets_more_prefix_cache_hits_than_least_outstanding_for_multi_turn_chats()
    {
        var (affinity, prompts) = await ChatAsync("routing:\n  policy: affinity\n  affinity_sources: [header]\n");
        var (least, _) = await ChatAsync("routing:\n  policy: least-requests\n");

        // On its own worker each later turn finds the turn before it: that turn's prompt and all but its last reply
        // token, in full blocks of 16, never the block holding its own last prompt token.
        var conversation = prompts.Sum(turns => Enumerable.Range(1, Turns - 1).Sum(t => 16 * Math.Min((turns[t - 1] + ReplyTokens - 1) / 16, (turns[t] - 1) / 16)));
        var shown = $"hit tokens: affinity {affinity}, least-outstanding {least}, the earlier turns' full blocks {conversation}";
        output.WriteLine(shown);
        affinity.ShouldBeGreaterThanOrEqualTo(conversation, shown);
        // Least-outstanding moves turns between the twins (ties go round-robin), so a turn often lands where its
        // conversation is not; what it still hits is the short system prompt and older turns.
        least.ShouldBeLessThan(conversation, shown);
        affinity.ShouldBeGreaterThan(least * 1.3, shown);
    }
}
