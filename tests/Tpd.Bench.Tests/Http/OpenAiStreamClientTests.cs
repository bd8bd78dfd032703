using System.Net;
using System.Net.Sockets;
using Tpd.Bench.Http;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;
using Tpd.TestKit.Fakes;

namespace Tpd.Bench.Tests.Http;

/// <summary>The client against a real Kestrel server on 127.0.0.1.</summary>
public class OpenAiStreamClientTests
{
    private static readonly BenchRequest Ids5 = new() { PromptTokenIds = [1000, 1001, 1002], PromptTokens = 3, MaxTokens = 5, IgnoreEos = true };

    private static OpenAiStreamClient Client(FakeOpenAiServer server, ApiKind api = ApiKind.Completions, string? key = null, TimeSpan? timeout = null) =>
        new(new EndpointOptions { BaseUri = server.BaseUri, Model = "m", Api = api, ApiKey = key, RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) }, RunClock.From(TimeProvider.System));

    [Fact]
    public async Task SendAsync_streams_a_completion_and_times_it()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromMilliseconds(60), TokenDelay = TimeSpan.FromMilliseconds(15) });
        using var client = Client(server);
        var r = await client.SendAsync(Ids5, 7, 0, false, CancellationToken.None);

        r.Outcome.ShouldBe(RequestOutcome.Ok);
        (r.Id, r.HttpStatus, r.InputTokens, r.OutputTokens, r.OutputTokensSource).ShouldBe((7L, 200, 3, 5, TokenCountSource.Usage));
        r.TtftSeconds!.Value.ShouldBeGreaterThanOrEqualTo(0.060 - FakeServerOptions.DelaySlack.TotalSeconds);
        r.InterTokenGaps.Count.ShouldBe(4);
        // The server cannot write the last token before 60 ms + 4 x 15 ms, less the slack of its five delays (a timer may
        // end a coarse-clock tick early); a busy machine may merge events, so single gaps prove nothing.
        r.E2eSeconds!.Value.ShouldBeGreaterThanOrEqualTo(0.120 - (5 * FakeServerOptions.DelaySlack.TotalSeconds));
        r.InterTokenGaps.Sum().ShouldBe(r.LastTokenSeconds!.Value - r.FirstTokenSeconds!.Value, 1e-9);
        r.HeadersSeconds!.Value.ShouldBeGreaterThanOrEqualTo(r.SendSeconds);
        r.EndSeconds!.Value.ShouldBeGreaterThanOrEqualTo(r.LastTokenSeconds!.Value);
        r.RequestedOutputTokens.ShouldBe(5);
    }

    [Fact]
    public async Task SendAsync_on_chat_does_not_count_the_role_chunk()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromMilliseconds(80) });
        using var client = Client(server, ApiKind.ChatCompletions);
        var r = await client.SendAsync(new BenchRequest { PromptText = "hello there", MaxTokens = 3 }, 1, 0, false, CancellationToken.None);
        r.Outcome.ShouldBe(RequestOutcome.Ok);
        r.TtftSeconds!.Value.ShouldBeGreaterThanOrEqualTo(0.080 - FakeServerOptions.DelaySlack.TotalSeconds);
        (r.InputTokens, r.OutputTokens).ShouldBe((2, 3));
        server.Bodies.ShouldHaveSingleItem().ShouldContain("\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]");
    }

    [Fact]
    public async Task SendAsync_sends_the_api_key_as_a_bearer_token()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { ApiKey = "sk-test" });
        using var good = Client(server, key: "sk-test");
        using var none = Client(server);
        (await good.SendAsync(Ids5, 1, 0, false, CancellationToken.None)).Outcome.ShouldBe(RequestOutcome.Ok);
        var denied = await none.SendAsync(Ids5, 2, 0, false, CancellationToken.None);
        (denied.Outcome, denied.ErrorClass, denied.HttpStatus).ShouldBe((RequestOutcome.Error, "http_401", (int?)401));
    }

    [Fact]
    public async Task SendAsync_turns_http_429_into_an_error_with_status_and_message()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { Status = 429 });
        using var client = Client(server);
        var r = await client.SendAsync(Ids5, 1, 0, false, CancellationToken.None);
        (r.Outcome, r.ErrorClass, r.HttpStatus).ShouldBe((RequestOutcome.Error, "http_429", (int?)429));
        r.ErrorMessage!.ShouldContain("rate limited");
    }

    [Fact]
    public async Task SendAsync_marks_a_stream_cut_mid_way_incomplete()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { CutAfterTokens = 2 });
        using var client = Client(server);
        var r = await client.SendAsync(Ids5, 1, 0, false, CancellationToken.None);
        r.Outcome.ShouldBe(RequestOutcome.Incomplete);
        r.ErrorClass.ShouldBeOneOf("connection_reset", "cut_mid_event", "no_done");
        r.FirstTokenSeconds.ShouldNotBeNull();
    }

    [Fact]
    public async Task SendAsync_flags_a_server_that_ignores_stream_true()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { NoStreaming = true });
        using var client = Client(server);
        var r = await client.SendAsync(Ids5, 1, 0, false, CancellationToken.None);
        (r.Outcome, r.ErrorClass, r.HttpStatus).ShouldBe((RequestOutcome.Error, "not_streaming", (int?)200));
        r.ErrorMessage!.ShouldStartWith("expected text/event-stream, got application/json: {\"choices\"");
    }

    [Fact]
    public async Task SendAsync_reports_a_timeout_as_an_error()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromSeconds(5) });
        using var client = Client(server, timeout: TimeSpan.FromMilliseconds(200));
        var r = await client.SendAsync(Ids5, 1, 0, false, CancellationToken.None);
        (r.Outcome, r.ErrorClass).ShouldBe((RequestOutcome.Error, "timeout"));
    }

    [Fact]
    public async Task SendAsync_reports_a_refused_connection()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        using var client = new OpenAiStreamClient(new EndpointOptions { BaseUri = new Uri($"http://127.0.0.1:{port}/"), Model = "m" }, RunClock.From(TimeProvider.System));
        var r = await client.SendAsync(Ids5, 1, 0, false, CancellationToken.None);
        (r.Outcome, r.ErrorClass).ShouldBe((RequestOutcome.Error, "connection_refused"));
    }

    [Fact]
    public async Task SendAsync_records_a_cancelled_request_when_the_run_stops()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromSeconds(5) });
        using var client = Client(server);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var r = await client.SendAsync(Ids5, 1, 0, false, stop.Token);
        (r.Outcome, r.ErrorClass).ShouldBe((RequestOutcome.Error, "cancelled"));
    }
}
