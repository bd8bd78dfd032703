using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Server;

/// <summary>Continuous batching, queueing, freeing on disconnect, and the lifetime cap, read from the server's own /stats.</summary>
[Collection(nameof(SharedEngine))]
public class BatchingTests(LlamaFixture llama)
{
    private const string Stream = """ "stream":true,"stream_options":{"include_usage":true},"ignore_eos":true """;

    private static async Task<(int Tokens, int Usage)> StreamAsync(HttpClient http, string body, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync(new Uri("v1/completions", UriKind.Relative), Http.Json(body), cancellationToken);
        response.EnsureSuccessStatusCode();
        var frames = Http.Frames(await response.Content.ReadAsStringAsync(cancellationToken));
        using var usage = JsonDocument.Parse(frames[^2]);
        return (Http.TokenChunks(frames).Count, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    private static async Task<JsonElement> WaitForStats(HttpClient http, Func<JsonElement, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var stats = await Http.GetAsync(http, "stats");
            if (done(stats))
                return stats;
            await Task.Delay(100);
        }

        return await Http.GetAsync(http, "stats");
    }

    [Fact]
    public async Task Eight_concurrent_requests_share_decode_steps_and_all_finish()
    {
        using var http = Http.Client(llama.BaseUri);
        var before = (await Http.GetAsync(http, "stats")).GetProperty("steps_with_several_sequences").GetInt64();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            StreamAsync(http, $$"""{"prompt":[{{string.Join(',', Enumerable.Range(2000 + i * 50, 40))}}],"max_tokens":24,{{Stream}}}""")));

        results.ShouldAllBe(r => r.Tokens == 24 && r.Usage == 24);
        var stats = await WaitForStats(http, s => s.GetProperty("running").GetInt32() == 0);
        stats.GetProperty("steps_with_several_sequences").GetInt64().ShouldBeGreaterThan(before, "no decode step carried more than one sequence");
        stats.GetProperty("max_sequences_in_step").GetInt32().ShouldBeGreaterThan(1);
        stats.GetProperty("running").GetInt32().ShouldBe(0);
        stats.GetProperty("kv_tokens_reserved").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Requests_beyond_the_sequence_limit_wait_in_the_queue_and_all_finish()
    {
        await using var server = await llama.StartServerAsync(maxSequences: 2);
        using var http = Http.Client(server.BaseUri);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => StreamAsync(http, $$"""{"prompt":[1000,1001],"max_tokens":40,{{Stream}}}""")));

        results.ShouldAllBe(r => r.Tokens == 40);
        var stats = await WaitForStats(http, s => s.GetProperty("finished").GetInt64() == 5);
        stats.GetProperty("max_running").GetInt32().ShouldBe(2);
        stats.GetProperty("max_waiting").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        stats.GetProperty("finished").GetInt64().ShouldBe(5);
    }

    [Fact]
    public async Task A_request_waits_while_the_kv_cache_is_reserved_by_others()
    {
        // 512 cells: two requests of 10 + 300 tokens cannot both hold their reservation, so the second waits.
        await using var server = await llama.StartServerAsync(maxSequences: 8, kvTokens: 512);
        using var http = Http.Client(server.BaseUri);
        var body = $$"""{"prompt":[{{string.Join(',', Enumerable.Range(1000, 10))}}],"max_tokens":300,{{Stream}}}""";

        var results = await Task.WhenAll(StreamAsync(http, body), StreamAsync(http, body));

        results.ShouldAllBe(r => r.Tokens == 300);
        var stats = await Http.GetAsync(http, "stats");
        stats.GetProperty("max_running").GetInt32().ShouldBe(1);
        stats.GetProperty("max_waiting").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_client_that_disconnects_frees_its_slot_for_the_next_request()
    {
        await using var server = await llama.StartServerAsync(maxSequences: 1);
        using var http = Http.Client(server.BaseUri);
        // A raw socket, so that leaving is a plain close (HttpClient would first try to drain the response).
        Task<(int Status, JsonElement Body)> next;
        using (var leaving = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port, leaving.Token);
            var longRequest = $$"""{"prompt":[1000],"max_tokens":2000,{{Stream}}}""";
            var request = $"POST /v1/completions HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(longRequest)}\r\n\r\n{longRequest}";
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request), leaving.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(leaving.Token) is { } line && !line.StartsWith("data: ", StringComparison.Ordinal))
            {
            }

            // A second request queues behind the streaming one, then its client leaves.
            next = Http.PostAsync(http, "v1/completions", """{"prompt":[1000],"max_tokens":4,"ignore_eos":true}""");
            (await WaitForStats(http, s => s.GetProperty("waiting").GetInt32() == 1)).GetProperty("waiting").GetInt32().ShouldBe(1);
        }

        // The waiting request gets the freed slot well before the 2,000 tokens would have taken.
        var (status, body) = await next;

        status.ShouldBe(200);
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(4);
        var stats = await WaitForStats(http, s => s.GetProperty("finished").GetInt64() == 1 && s.GetProperty("running").GetInt32() == 0);
        stats.GetProperty("aborted").GetInt64().ShouldBe(1, stats.GetRawText());
        stats.GetProperty("generated_tokens").GetInt64().ShouldBeLessThan(2000, "the first request ran to its end");
        stats.GetProperty("kv_tokens_reserved").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task A_waiting_request_whose_client_leaves_is_dropped_from_the_queue()
    {
        await using var server = await llama.StartServerAsync(maxSequences: 1);
        using var http = Http.Client(server.BaseUri);
        using var running = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = StreamAsync(http, $$"""{"prompt":[1000],"max_tokens":2000,{{Stream}}}""", running.Token);
        await WaitForStats(http, s => s.GetProperty("running").GetInt32() == 1);

        using (var leaving = new CancellationTokenSource())
        {
            var second = http.PostAsync(new Uri("v1/completions", UriKind.Relative), Http.Json("""{"prompt":[1000],"max_tokens":4}"""), leaving.Token);
            (await WaitForStats(http, s => s.GetProperty("waiting").GetInt32() == 1)).GetProperty("waiting").GetInt32().ShouldBe(1);
            await leaving.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => second);
        }

        // Dropped while the first request still holds the only slot.
        var stats = await WaitForStats(http, s => s.GetProperty("aborted").GetInt64() == 1);
        stats.GetProperty("aborted").GetInt64().ShouldBe(1, stats.GetRawText());
        stats.GetProperty("waiting").GetInt32().ShouldBe(0);
        stats.GetProperty("running").GetInt32().ShouldBe(1);
        await running.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task A_server_stops_by_itself_when_its_lifetime_runs_out()
    {
        var server = await Tpd.Llama.Server.LlamaServer.StartAsync(new Tpd.Llama.Server.LlamaServerOptions
        {
            Engine = new Tpd.Llama.Engine.LlamaEngineOptions { ModelPath = llama.Model.Path, MaxSequences = 1 },
            Lifetime = TimeSpan.FromSeconds(1),
        });

        var stopped = await Task.WhenAny(server.Stopped, Task.Delay(TimeSpan.FromSeconds(20)));

        stopped.ShouldBe(server.Stopped);
        using var http = Http.Client(server.BaseUri);
        await Should.ThrowAsync<HttpRequestException>(() => http.GetStringAsync(new Uri("health", UriKind.Relative)));
    }
}
