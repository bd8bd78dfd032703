using System.Diagnostics;
using System.Net;
using System.Text;
using Tpd.Gateway.Metering;

namespace Tpd.Gateway.Tests.Integration;

public sealed class ProxyTests
{
    [Fact]
    public async Task Streaming_chat_is_relayed_whole_with_done()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var r = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 12));

        r.Status.ShouldBe(HttpStatusCode.OK);
        r.Ok.ShouldBeTrue(r.Body);
        r.TokenEvents.ShouldBe(12);
        r.Worker.ShouldBe("w0");
        g.Runtime.Counters.Count(Outcome.Ok).ShouldBe(1);
    }

    [Fact]
    public async Task Usage_is_forced_upstream_and_stripped_for_a_client_that_did_not_ask()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var r = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 5));

        var fake = (FakeWorker)g.Workers[0];
        fake.Bodies[^1].ShouldContain("\"stream_options\":{\"include_usage\":true}");
        r.Body.ShouldNotContain("\"usage\"");
        r.Done.ShouldBeTrue();
        // Metering still saw the usage: 5 output tokens, prompt tokens from the worker.
        g.Runtime.Worker("w0")!.Meter.OutputTokens.ShouldBe(5);
        g.Runtime.Worker("w0")!.Meter.InputTokens.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Usage_chunk_is_kept_for_a_client_that_asked_for_it()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var body = GatewayHarness.Chat(maxTokens: 5, extra: ",\"stream_options\":{\"include_usage\":true}");
        var r = await g.StreamAsync(body);

        r.Body.ShouldContain("\"choices\":[],\"usage\":{\"prompt_tokens\"");
        ((FakeWorker)g.Workers[0]).Bodies[^1].ShouldBe(body);
    }

    [Fact]
    public async Task Stream_options_without_include_usage_are_rewritten_to_ask_for_it()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var r = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 3, extra: ",\"stream_options\":{\"include_usage\":false}"));

        ((FakeWorker)g.Workers[0]).Bodies[^1].ShouldContain("\"include_usage\":true");
        r.Body.ShouldNotContain("\"usage\"");
        r.Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Completions_and_non_streaming_requests_pass_through_with_usage_metered()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var completions = await g.StreamAsync("""{"model":"fake-model","prompt":"hi","max_tokens":4,"stream":true}""", "v1/completions");
        var whole = await g.Client.PostAsync("v1/chat/completions", GatewayHarness.Json(GatewayHarness.Chat(maxTokens: 6, stream: false)));

        completions.TokenEvents.ShouldBe(4);
        completions.Ok.ShouldBeTrue();
        whole.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await whole.Content.ReadAsStringAsync()).ShouldContain("\"completion_tokens\":6");
        g.Runtime.Worker("w0")!.Meter.OutputTokens.ShouldBe(10);
    }

    [Fact]
    public async Task Models_come_from_a_healthy_worker()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var text = await g.Client.GetStringAsync("v1/models");
        text.ShouldContain("\"id\":\"fake-model\"");
    }

    [Fact]
    public async Task Streaming_is_not_buffered_first_chunk_arrives_before_the_worker_finishes()
    {
        // 20 tokens at 20 tokens/s: the worker needs about a second for the whole stream.
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("slow", TokensPerSecond: 20)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(GatewayHarness.Chat(maxTokens: 20)) };
        var clock = Stopwatch.StartNew();
        using var response = await g.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        var n = await stream.ReadAsync(buffer);
        // Read at once, not timed: a buffering gateway would hand over the first bytes only after the worker finished
        // its response. (Comparing the first chunk's time with a quarter of the whole failed when a loaded box delayed
        // the first read by a quarter of a second.)
        var workerStillStreaming = g.Workers[0].InFlight == 1;
        var first = Encoding.UTF8.GetString(buffer, 0, n);
        var rest = await new StreamReader(stream).ReadToEndAsync();
        var whole = clock.Elapsed;

        first.ShouldStartWith("data: ");
        first.ShouldNotContain("[DONE]");
        workerStillStreaming.ShouldBeTrue("the first chunk reached the client only after the worker had finished");
        rest.ShouldContain("[DONE]");
        whole.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_request()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0", TokensPerSecond: 20)));
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(GatewayHarness.Chat(maxTokens: 200)) })
        using (var response = await g.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            _ = await stream.ReadAsync(new byte[256]);
        }
        // Disposing the response closed the connection mid-stream; the worker must see its request cancelled.
        var w = g.Workers[0];
        await GatewayHarness.UntilAsync(() => w.Cancelled > 0, "the worker to see its request cancelled");

        w.Cancelled.ShouldBe(1);
        await GatewayHarness.UntilAsync(() => w.InFlight == 0, "the cancelled request to leave the worker");
        await GatewayHarness.UntilAsync(() => g.Runtime.Counters.Finished > 0, "the gateway to record the outcome");
        g.Runtime.Counters.Count(Outcome.ClientCancelled).ShouldBe(1);
    }

    [Fact]
    public async Task Failure_before_first_byte_is_retried_on_another_worker()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers);
        workers[0].FailNext(100, 503);

        var results = new List<StreamResult>();
        for (var i = 0; i < 6; i++)
            results.Add(await g.StreamAsync(GatewayHarness.Chat(maxTokens: 3)));

        results.ShouldAllBe(r => r.Ok);
        results.ShouldAllBe(r => r.Worker == "b");
        g.Runtime.Counters.Retries.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task When_every_worker_fails_before_the_first_byte_the_client_gets_502_and_it_is_counted()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers);
        workers[0].FailNext(100, 500);
        workers[1].FailNext(100, 503);

        var r = await g.StreamAsync(GatewayHarness.Chat());

        r.Status.ShouldBe(HttpStatusCode.BadGateway);
        r.Body.ShouldContain("\"type\":\"upstream_error\"");
        g.Runtime.Counters.Count(Outcome.UpstreamFailed).ShouldBe(1);
        (workers[0].Requests + workers[1].Requests).ShouldBe(2);
    }

    [Fact]
    public async Task Failure_after_streaming_began_ends_with_an_error_frame_and_done()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"));
        await using var g = await GatewayHarness.StartAsync(workers);
        workers[0].CutStreamsAfter(3);

        var r = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 10));

        r.Status.ShouldBe(HttpStatusCode.OK);
        r.TokenEvents.ShouldBe(3);
        r.HasErrorFrame.ShouldBeTrue(r.Body);
        r.Body.TrimEnd().ShouldEndWith("data: [DONE]");
        g.Runtime.Counters.Count(Outcome.StreamError).ShouldBe(1);
    }

    [Fact]
    public async Task A_stream_that_goes_silent_ends_with_an_error_frame_after_the_idle_timeout()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a", TokensPerSecond: 400));
        await using var g = await GatewayHarness.StartAsync(workers, "limits:\n  stream_idle_timeout_seconds: 0.3\n");
        workers[0].SetSlowdown(200); // first chunk after 1 s, then one every 0.5 s: longer than the idle limit

        var clock = Stopwatch.StartNew();
        var r = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 20));

        r.Status.ShouldBe(HttpStatusCode.OK);
        r.HasErrorFrame.ShouldBeTrue(r.Body);
        r.Done.ShouldBeTrue();
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        g.Runtime.Counters.Count(Outcome.StreamError).ShouldBe(1);
    }

    [Fact]
    public async Task A_worker_4xx_is_relayed_not_retried()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers);
        workers[0].FailNext(1, 400);
        workers[1].FailNext(1, 400);

        var r = await g.StreamAsync(GatewayHarness.Chat());

        r.Status.ShouldBe(HttpStatusCode.BadRequest);
        g.Runtime.Counters.Retries.ShouldBe(0);
        g.Runtime.Counters.Count(Outcome.UpstreamClientError).ShouldBe(1);
    }
}
