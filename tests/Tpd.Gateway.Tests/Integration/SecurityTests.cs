using System.Net;
using System.Net.Http.Headers;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Tests.Integration;

public sealed class SecurityTests
{
    private const string Key = "sk-test-0123456789abcdef";
    private const string AdminKey = "admin-secret-key-42";

    private static string Keys() => $"""
        security:
          api_keys:
            - name: team-a
              sha256: {KeyHash.Of(Key).Text}
          admin_key_sha256: {KeyHash.Of(AdminKey).Text}

        """;

    [Theory]
    [InlineData("fake")]
    [InlineData("twin")]
    public async Task Requests_without_a_valid_key_get_401_and_with_it_pass(string workers)
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(workers, new WorkerSpec("w0")), Keys());

        var none = await g.Client.PostAsync("v1/chat/completions", GatewayHarness.Json(GatewayHarness.Chat()));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(GatewayHarness.Chat()) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key + "x");
        var wrongResponse = await g.Client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(GatewayHarness.Chat()) };
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var rightResponse = await g.Client.SendAsync(right);

        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongResponse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        rightResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        g.Workers[0].Requests.ShouldBe(1);
        g.Runtime.Counters.Count(Outcome.Unauthorized).ShouldBe(2);
    }

    [Theory]
    [InlineData("fake")]
    [InlineData("twin")]
    public async Task A_client_outside_the_allowlist_gets_403(string workers)
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(workers, new WorkerSpec("w0")), "security:\n  allow_cidrs: [10.0.0.0/8, 'fd00::/8']\n");
        var r = await g.Client.PostAsync("v1/chat/completions", GatewayHarness.Json(GatewayHarness.Chat()));

        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        g.Workers[0].Requests.ShouldBe(0);
        g.Runtime.Counters.Count(Outcome.Forbidden).ShouldBe(1);
    }

    [Theory]
    [InlineData("fake")]
    [InlineData("twin")]
    public async Task A_body_over_the_limit_gets_413_with_or_without_content_length(string workers)
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(workers, new WorkerSpec("w0")), "limits:\n  max_body_bytes: 2048\n");
        var big = GatewayHarness.Chat(extra: $",\"pad\":\"{new string('x', 4000)}\"");
        // Expect: 100-continue, as careful clients send large bodies: the 413 comes before the body is written,
        // so the test does not race the server closing the connection against the client still writing.
        using var sized = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(big) };
        sized.Headers.ExpectContinue = true;
        var withLength = await g.Client.SendAsync(sized);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big))) };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.ExpectContinue = true;
        var withoutLength = await g.Client.SendAsync(chunked);
        var small = await g.Client.PostAsync("v1/chat/completions", GatewayHarness.Json(GatewayHarness.Chat()));

        withLength.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        withoutLength.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        small.StatusCode.ShouldBe(HttpStatusCode.OK);
        g.Workers[0].Requests.ShouldBe(1);
    }

    [Theory]
    [InlineData("fake")]
    [InlineData("twin")]
    public async Task Overload_gets_429_with_retry_after_once_workers_and_queue_are_full(string workers)
    {
        // The one slot is held 2 s (40 tokens at 20/s); a queued request gives up after 1 s, well before the slot frees,
        // and a third arriving while it waits finds the queue full. Each step waits for the state the last one caused:
        // fixed sleeps of 100 and 50 ms against a 0.3 s queue timeout were too short on a loaded box.
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(workers, new WorkerSpec("w0", TokensPerSecond: 20)),
            "limits:\n  queue_size: 1\n  queue_timeout_seconds: 1\n  retry_after_seconds: 3\n",
            prices: null);
        var config = g.Runtime.Current.Config with { Workers = [g.Runtime.Current.Config.Workers[0] with { MaxInFlight = 1 }] };
        g.Runtime.Apply(config);

        var slow = g.StreamAsync(GatewayHarness.Chat(maxTokens: 40, extra: ",\"ignore_eos\":true")); // a twin would stop early without it
        await GatewayHarness.UntilAsync(() => g.Runtime.Worker("w0")!.InFlight == 1, "the slow request to take the slot");
        var queuedThenTimedOut = g.StreamAsync(GatewayHarness.Chat(maxTokens: 1));
        await GatewayHarness.UntilAsync(() => g.Runtime.Admission.Depth == 1, "the second request to queue");
        var queueFull = await g.StreamAsync(GatewayHarness.Chat(maxTokens: 1));
        var timedOut = await queuedThenTimedOut;
        (await slow).Ok.ShouldBeTrue();

        queueFull.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        queueFull.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        queueFull.Body.ShouldContain("queue is full");
        timedOut.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        timedOut.Body.ShouldContain("timed out");
        g.Runtime.Counters.Count(Outcome.Overloaded).ShouldBe(2);
    }

    [Fact]
    public async Task A_queued_request_is_served_when_a_slot_frees()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("w0", TokensPerSecond: 100));
        await using var g = await GatewayHarness.StartAsync(workers, "limits:\n  queue_size: 10\n  queue_timeout_seconds: 5\n");
        g.Runtime.Apply(g.Runtime.Current.Config with { Workers = [g.Runtime.Current.Config.Workers[0] with { MaxInFlight = 1 }] });

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => g.StreamAsync(GatewayHarness.Chat(maxTokens: 5))));

        results.ShouldAllBe(r => r.Ok);
        workers[0].Requests.ShouldBe(4);
    }

    [Fact]
    public async Task Admin_endpoints_need_the_admin_key_and_drain_and_undrain_a_worker()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers, Keys());
        g.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        (await g.Client.PostAsync("admin/workers/a/drain", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var drain = new HttpRequestMessage(HttpMethod.Post, "admin/workers/a/drain");
        drain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var drained = await g.Client.SendAsync(drain);
        drained.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await drained.Content.ReadAsStringAsync()).ShouldContain("\"drained_manual\": true");
        for (var i = 0; i < 6; i++)
            (await g.StreamAsync(GatewayHarness.Chat(maxTokens: 2))).Worker.ShouldBe("b");

        using var undrain = new HttpRequestMessage(HttpMethod.Post, "admin/workers/a/undrain");
        undrain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        (await g.Client.SendAsync(undrain)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = new List<string?>();
        for (var i = 0; i < 6; i++)
            after.Add((await g.StreamAsync(GatewayHarness.Chat(maxTokens: 2))).Worker);
        after.ShouldContain("a");

        using var unknown = new HttpRequestMessage(HttpMethod.Post, "admin/workers/zz/drain");
        unknown.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        (await g.Client.SendAsync(unknown)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Logs_never_contain_keys_or_prompts()
    {
        const string Prompt = "my-secret-prompt-text-7731";
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers, Keys());
        workers[0].FailNext(5, 503);
        var body = $$"""{"model":"fake-model","messages":[{"role":"user","content":"{{Prompt}}"}],"max_tokens":3,"stream":true}""";
        foreach (var key in new[] { Key, "sk-wrong-key-99999" })
        {
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                (await g.Client.SendAsync(request)).Dispose();
            }
        }
        using var admin = new HttpRequestMessage(HttpMethod.Post, "admin/workers/a/drain");
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        (await g.Client.SendAsync(admin)).Dispose();

        var logs = g.Logs.All;
        logs.ShouldNotBeEmpty();
        logs.ShouldContain("missing or unknown API key"); // the rejection was logged...
        logs.ShouldNotContain(Prompt);                     // ...but nothing of the request or its keys
        logs.ShouldNotContain(Key);
        logs.ShouldNotContain("sk-wrong-key-99999");
        logs.ShouldNotContain(AdminKey);
    }
}
