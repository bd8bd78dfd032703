namespace Tpd.Gateway.Tests.Integration;

public sealed class RoutingTests
{
    private static Dictionary<string, int> Spread(IEnumerable<StreamResult> results) =>
        results.Where(r => r.Worker is not null).GroupBy(r => r.Worker!).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public async Task Least_requests_spreads_load_evenly_over_equal_workers()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a", 200), new WorkerSpec("b", 200), new WorkerSpec("c", 200));
        await using var g = await GatewayHarness.StartAsync(workers);
        var results = await g.LoadAsync(6, TimeSpan.FromSeconds(1.2), GatewayHarness.Chat(maxTokens: 8));

        results.ShouldAllBe(r => r.Ok);
        var spread = Spread(results);
        spread.Keys.Order().ShouldBe(["a", "b", "c"]);
        foreach (var n in spread.Values)
            ((double)n).ShouldBeInRange(results.Count / 3.0 * 0.6, results.Count / 3.0 * 1.4);
    }

    [Fact]
    public async Task Least_requests_follows_weights()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("big", 200), new WorkerSpec("small", 200));
        var yaml = GatewayHarness.Yaml(workers).Replace("price_per_hour: 2\n  - name: small", "price_per_hour: 2\n    weight: 3\n  - name: small", StringComparison.Ordinal);
        yaml.ShouldContain("weight: 3");
        await using var g = await GatewayHarness.StartAsync(workers, "");
        g.Runtime.Apply(Tpd.Gateway.Config.ConfigLoader.Parse(yaml).Config!);
        var results = await g.LoadAsync(8, TimeSpan.FromSeconds(1.2), GatewayHarness.Chat(maxTokens: 8));

        var spread = Spread(results);
        var ratio = (double)spread["big"] / spread["small"];
        ratio.ShouldBeInRange(2.0, 4.5);
    }

    [Fact]
    public async Task Least_tokens_sends_short_requests_to_the_worker_with_fewer_outstanding_tokens()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a", 20), new WorkerSpec("b", 20));
        await using var g = await GatewayHarness.StartAsync(workers, "routing:\n  policy: least-tokens\n");
        using var cancelLong = new CancellationTokenSource();
        var longOne = g.StreamAsync(GatewayHarness.Chat(maxTokens: 200), ct: cancelLong.Token);
        await GatewayHarness.UntilAsync(() => g.Runtime.Current.Workers.Any(w => w.OutstandingTokens > 200), "the long request to be routed");
        var medium = g.StreamAsync(GatewayHarness.Chat(maxTokens: 30));
        await GatewayHarness.UntilAsync(() => g.Runtime.Current.Workers.All(w => w.InFlight == 1), "the medium request to be routed");
        var longWorker = g.Runtime.Current.Workers.Single(w => w.OutstandingTokens > 200).Name;

        var shorts = new List<StreamResult>();
        for (var i = 0; i < 4; i++)
            shorts.Add(await g.StreamAsync(GatewayHarness.Chat(maxTokens: 1)));

        // Least requests would alternate (1 vs 2 in flight); least tokens keeps them off the long request's worker.
        shorts.ShouldAllBe(r => r.Ok && r.Worker != longWorker);
        (await medium).Ok.ShouldBeTrue();
        await cancelLong.CancelAsync();
        try
        {
            await longOne;
        }
        catch (OperationCanceledException)
        {
            // expected: the long request was only there to hold tokens
        }
    }

    [Fact]
    public async Task Power_of_two_choices_uses_every_worker()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"), new WorkerSpec("c"), new WorkerSpec("d"));
        await using var g = await GatewayHarness.StartAsync(workers, "routing:\n  policy: power-of-two\n");
        var results = await g.LoadAsync(4, TimeSpan.FromSeconds(0.8), GatewayHarness.Chat(maxTokens: 4));

        results.ShouldAllBe(r => r.Ok);
        var spread = Spread(results);
        spread.Count.ShouldBe(4);
        spread.Values.Max().ShouldBeLessThan(results.Count / 2);
    }

    [Fact]
    public async Task Affinity_keeps_a_user_on_one_worker_and_falls_back_when_it_is_drained()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"), new WorkerSpec("c"));
        await using var g = await GatewayHarness.StartAsync(workers, "routing:\n  policy: affinity\n  affinity_sources: [user]\n");
        string Body(string user) => GatewayHarness.Chat(maxTokens: 2, extra: $",\"user\":\"{user}\"");

        var homes = new Dictionary<string, string>();
        for (var u = 0; u < 12; u++)
        {
            var seen = new HashSet<string?>();
            for (var i = 0; i < 3; i++)
                seen.Add((await g.StreamAsync(Body($"user-{u}"))).Worker);
            seen.Count.ShouldBe(1);
            homes[$"user-{u}"] = seen.Single()!;
        }
        homes.Values.Distinct().Count().ShouldBeGreaterThan(1);

        var (user, home) = homes.First();
        g.Runtime.SetManualDrain(home, true);
        var fallback = (await g.StreamAsync(Body(user))).Worker;
        fallback.ShouldNotBe(home);
        fallback.ShouldNotBeNull();
        // Keys homed elsewhere do not move.
        foreach (var (other, otherHome) in homes.Where(kv => kv.Value != home))
            (await g.StreamAsync(Body(other))).Worker.ShouldBe(otherHome);
        g.Runtime.SetManualDrain(home, false);
        (await g.StreamAsync(Body(user))).Worker.ShouldBe(home);
    }

    [Fact]
    public async Task Affinity_reads_a_session_header_and_the_prompt_prefix()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"), new WorkerSpec("c"));
        await using var g = await GatewayHarness.StartAsync(workers, "routing:\n  policy: affinity\n  affinity_prefix_chars: 32\n");

        var byHeader = new HashSet<string?>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHarness.Json(GatewayHarness.Chat(maxTokens: 1)) };
            request.Headers.Add("x-session-id", "session-42");
            using var response = await g.Client.SendAsync(request);
            byHeader.Add(response.Headers.GetValues("x-tpd-worker").Single());
        }
        byHeader.Count.ShouldBe(1);

        // Same 32-character system prompt, different questions: one worker (its prefix cache).
        var system = "You are a helpful assistant v7.";
        var byPrefix = new HashSet<string?>();
        for (var i = 0; i < 5; i++)
        {
            var body = $$"""{"model":"m","messages":[{"role":"system","content":"{{system}} extra {{i}}"},{"role":"user","content":"question {{i}}"}],"max_tokens":1,"stream":true}""";
            byPrefix.Add((await g.StreamAsync(body)).Worker);
        }
        byPrefix.Count.ShouldBe(1);
    }
}
