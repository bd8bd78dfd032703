using System.Diagnostics;
using System.Net;
using Tpd.Gateway.Metering;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>
/// Strict FIFO admission through a real gateway: every worker at max_in_flight, requests queue, and the order in
/// which the workers receive them is the order they were queued in. Order is checked through the queue depth and
/// the bodies the workers record (signals), never through sleeps, so a loaded machine only makes it slower.
/// </summary>
public sealed class FifoTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A slow worker so a holder's stream lasts until the test ends it; queued requests are short.</summary>
    private static WorkerSpec Slow(string name) => new(name, TokensPerSecond: 50);

    /// <summary>
    /// Clients for requests that wait in the queue: the harness client gives up after 20 s, and on a loaded machine
    /// queueing a few requests one by one can take a while. The gateway's queue timeout is raised to match.
    /// </summary>
    private static readonly HttpClient Patient = new() { Timeout = TimeSpan.FromSeconds(90) };

    /// <summary>Workers w0.. at max_in_flight 1; <paramref name="limits"/> are indented lines under limits:.</summary>
    private static async Task<GatewayHarness> StartAsync(int workers, string routing = "", string limits = "")
    {
        var timeout = limits.Contains("queue_timeout_seconds", StringComparison.Ordinal) ? "" : "  queue_timeout_seconds: 90\n";
        var g = await GatewayHarness.StartAsync(
            await Workers.StartAsync([.. Enumerable.Range(0, workers).Select(i => Slow($"w{i}"))]),
            "drain:\n  enabled: false\n" + routing + "limits:\n" + timeout + limits);
        var c = g.Runtime.Current.Config;
        g.Runtime.Apply(c with { Workers = [.. c.Workers.Select(w => w with { MaxInFlight = 1 })] });
        return g;
    }

    private static string Marked(string mark, int maxTokens = 2) =>
        $$"""{"model":"fake-model","messages":[{"role":"user","content":"{{mark}}"}],"max_tokens":{{maxTokens}},"stream":true}""";

    /// <summary>A streaming request the worker is serving (headers relayed) until the test disposes it.</summary>
    private sealed class Holder : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private HttpResponseMessage? _response;

        public string Worker { get; private set; } = "";

        public static async Task<Holder> StartAsync(GatewayHarness g, string mark, string? session = null)
        {
            var h = new Holder();
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(g.Server.BaseUri, "v1/chat/completions")) { Content = GatewayHarness.Json(Marked(mark, maxTokens: 100_000)) };
            if (session is not null)
                request.Headers.Add("x-session-id", session);
            h._response = await Patient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, h._cts.Token);
            h._response.StatusCode.ShouldBe(HttpStatusCode.OK);
            h.Worker = h._response.Headers.GetValues("x-tpd-worker").Single();
            return h;
        }

        /// <summary>The client goes away: the gateway cancels the upstream stream and frees the slot.</summary>
        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            _response?.Dispose();
            _cts.Dispose();
        }
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
                throw new TimeoutException($"waited {Patience.TotalSeconds} s for: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>Sends a request and returns once the gateway has queued it (depth reached <paramref name="depth"/>).</summary>
    private static async Task<Task<StreamResult>> QueueAsync(GatewayHarness g, string mark, int depth, string? session = null, CancellationToken ct = default)
    {
        var sent = Task.Run(() => SendAsync(g, Marked(mark), session, ct), ct);
        await Until(() => g.Runtime.Admission.Depth >= depth || sent.IsCompleted, $"request {mark} queued (depth {depth})");
        sent.IsCompleted.ShouldBeFalse($"request {mark} should wait in the queue; it ended with {(sent.IsCompletedSuccessfully ? sent.Result.Status.ToString() : sent.Status.ToString())}");
        return sent;
    }

    private static async Task<StreamResult> SendAsync(GatewayHarness g, string body, string? session = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(g.Server.BaseUri, "v1/chat/completions")) { Content = GatewayHarness.Json(body) };
        if (session is not null)
            request.Headers.Add("x-session-id", session);
        using var response = await Patient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var worker = response.Headers.TryGetValues("x-tpd-worker", out var v) ? v.First() : null;
        return new StreamResult(response.StatusCode, text, worker, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>The marks of the requests a worker received, in the order it received them.</summary>
    private static List<string> Received(ITestWorker worker)
    {
        var fake = (FakeWorker)worker;
        lock (fake.Bodies)
        {
            return [.. fake.Bodies.Select(b => b[(b.IndexOf("\"content\":\"", StringComparison.Ordinal) + 11)..]).Select(b => b[..b.IndexOf('"', StringComparison.Ordinal)])];
        }
    }

    [Fact]
    public async Task Queued_requests_reach_the_worker_in_queue_order_and_late_arrivals_never_pass_them()
    {
        await using var g = await StartAsync(1);
        var holder = await Holder.StartAsync(g, "holder");
        var queued = new List<Task<StreamResult>>();
        for (var k = 1; k <= 6; k++)
            queued.Add(await QueueAsync(g, $"b{k}", k));

        // The slot frees while new requests keep arriving: each freed slot must go to the head of the queue.
        await holder.DisposeAsync();
        var late = Enumerable.Range(1, 4).Select(k => SendAsync(g, Marked($"c{k}"))).ToList();

        var results = await Task.WhenAll(queued.Concat(late));
        results.ShouldAllBe(r => r.Ok);
        var order = Received(g.Workers[0]);
        order[0].ShouldBe("holder");
        order.Skip(1).Take(6).ShouldBe(["b1", "b2", "b3", "b4", "b5", "b6"]);
        order.Skip(7).Order().ShouldBe(["c1", "c2", "c3", "c4"]);
        await Until(() => g.Runtime.Worker("w0")!.InFlight == 0, "every slot given back");
        g.Runtime.Admission.Depth.ShouldBe(0);
    }

    [Theory]
    [InlineData("least-requests")]
    [InlineData("least-tokens")]
    [InlineData("power-of-two")]
    [InlineData("affinity")]
    public async Task Each_policy_hands_freed_slots_to_waiters_in_order(string policy)
    {
        await using var g = await StartAsync(2, routing: $"routing:\n  policy: {policy}\n  affinity_sources: [header]\n");
        await using var h1 = await Holder.StartAsync(g, "h1", session: "s-h1");
        var h2 = await Holder.StartAsync(g, "h2", session: "s-h2");
        h1.Worker.ShouldNotBe(h2.Worker); // one slot per worker, both taken

        var queued = new List<Task<StreamResult>>();
        for (var k = 1; k <= 4; k++)
            queued.Add(await QueueAsync(g, $"b{k}", k, session: $"s-b{k}"));

        // One worker frees: whatever worker each waiter's policy prefers, only this one has room, one slot at a time.
        await h2.DisposeAsync();
        var results = await Task.WhenAll(queued);
        results.ShouldAllBe(r => r.Ok);
        results.ShouldAllBe(r => r.Worker == h2.Worker);
        var freed = g.Workers.Single(w => w.Name == h2.Worker);
        Received(freed).ShouldBe(["h2", "b1", "b2", "b3", "b4"]);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_the_queued_requests_still_finish_in_order()
    {
        await using var g = await StartAsync(1, limits: "  queue_size: 2\n  retry_after_seconds: 3\n");
        var holder = await Holder.StartAsync(g, "holder");
        var b1 = await QueueAsync(g, "b1", 1);
        var b2 = await QueueAsync(g, "b2", 2);

        var refused = await g.StreamAsync(Marked("b3"));
        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        refused.Body.ShouldContain("queue is full");
        g.Runtime.Admission.Depth.ShouldBe(2);

        await holder.DisposeAsync();
        (await b1).Ok.ShouldBeTrue();
        (await b2).Ok.ShouldBeTrue();
        Received(g.Workers[0]).ShouldBe(["holder", "b1", "b2"]);
    }

    [Fact]
    public async Task A_wait_past_the_queue_timeout_answers_429_and_leaves_no_waiter()
    {
        await using var g = await StartAsync(1, limits: "  queue_timeout_seconds: 0.3\n");
        await using var holder = await Holder.StartAsync(g, "holder");
        var r = await g.StreamAsync(Marked("b1"));
        r.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        r.RetryAfter.ShouldNotBeNull();
        r.Body.ShouldContain("timed out");
        g.Runtime.Admission.Depth.ShouldBe(0);
        Received(g.Workers[0]).ShouldBe(["holder"]);
    }

    [Fact]
    public async Task A_client_that_leaves_while_queued_is_dropped_from_the_queue_without_taking_a_slot()
    {
        await using var g = await StartAsync(1);
        var holder = await Holder.StartAsync(g, "holder");
        using var leaves = new CancellationTokenSource();
        var b1 = await QueueAsync(g, "b1", 1);
        var b2 = await QueueAsync(g, "b2", 2, ct: leaves.Token);
        var b3 = await QueueAsync(g, "b3", 3);

        await leaves.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(b2);
        await Until(() => g.Runtime.Admission.Depth == 2, "the departed client's place freed");

        await holder.DisposeAsync();
        (await b1).Ok.ShouldBeTrue();
        (await b3).Ok.ShouldBeTrue();
        Received(g.Workers[0]).ShouldBe(["holder", "b1", "b3"]);
        await Until(() => g.Runtime.Worker("w0")!.InFlight == 0, "every slot given back");
        g.Runtime.Admission.Depth.ShouldBe(0);
        g.Runtime.Counters.Count(Outcome.ClientCancelled).ShouldBeGreaterThanOrEqualTo(2); // the holder and b2
    }

    [Fact]
    public async Task A_reload_that_raises_max_in_flight_serves_the_waiters_at_once()
    {
        await using var g = await StartAsync(1);
        await using var holder = await Holder.StartAsync(g, "holder");
        var b1 = await QueueAsync(g, "b1", 1);
        var b2 = await QueueAsync(g, "b2", 2);

        var c = g.Runtime.Current.Config;
        g.Runtime.Apply(c with { Workers = [.. c.Workers.Select(w => w with { MaxInFlight = 3 })] });
        (await b1).Ok.ShouldBeTrue();
        (await b2).Ok.ShouldBeTrue();
        // Both were handed a slot in the same dispatch, so which reaches the worker first is up to the thread pool.
        Received(g.Workers[0]).Order().ShouldBe(["b1", "b2", "holder"]);
        g.Runtime.Worker("w0")!.InFlight.ShouldBeGreaterThanOrEqualTo(1); // the holder still streams
        g.Runtime.Admission.Depth.ShouldBe(0);
    }

    [Fact]
    public async Task A_waiter_gets_503_at_once_when_its_only_worker_is_drained()
    {
        await using var g = await StartAsync(1);
        await using var holder = await Holder.StartAsync(g, "holder");
        var b1 = await QueueAsync(g, "b1", 1);
        g.Runtime.SetManualDrain("w0", true).ShouldBeTrue();
        var r = await b1;
        r.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        r.RetryAfter.ShouldNotBeNull();
        g.Runtime.Admission.Depth.ShouldBe(0);
    }

    [Fact]
    public async Task A_retry_waits_for_an_untried_worker_while_a_later_request_takes_the_slot_it_cannot_use()
    {
        await using var g = await StartAsync(2, limits: "  max_retries: 2\n");
        var holder = await Holder.StartAsync(g, "holder");
        var other = g.Workers.Single(w => w.Name != holder.Worker);
        other.FailNext(1, 500);

        // r fails on the other worker before any byte, is retried, and waits for the holder's worker (the only untried one).
        var r = await QueueAsync(g, "r", 1);
        // b arrives later but can use the slot r freed on the other worker: it does not wait behind r.
        var b = await g.StreamAsync(Marked("b"));
        b.Ok.ShouldBeTrue(b.Body);
        b.Worker.ShouldBe(other.Name);
        g.Runtime.Admission.Depth.ShouldBe(1);

        await holder.DisposeAsync();
        var result = await r;
        result.Ok.ShouldBeTrue(result.Body);
        result.Worker.ShouldBe(holder.Worker);
        Received(other).ShouldBe(["r", "b"]);
        g.Runtime.Counters.Retries.ShouldBe(1);
    }
}
