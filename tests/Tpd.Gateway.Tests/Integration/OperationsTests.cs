using System.Text.RegularExpressions;
using Tpd.Gateway.Config;

namespace Tpd.Gateway.Tests.Integration;

public sealed partial class OperationsTests
{
    [Fact]
    public async Task Metrics_expose_load_cost_drain_state_and_desired_replicas_without_colons()
    {
        // 40 tokens at 40/s: each request streams for a second, so all six are in flight together however late some start.
        var workers = await Workers.StartAsync(new WorkerSpec("a", 40), new WorkerSpec("b", 40));
        await using var g = await GatewayHarness.StartAsync(workers, "scaling:\n  target_in_flight_per_worker: 2\ndrain:\n  window_seconds: 0.2\n", prices: [2.0, 4.0]);
        var load = Enumerable.Range(0, 6).Select(_ => g.StreamAsync(GatewayHarness.Chat(maxTokens: 40))).ToList();
        await GatewayHarness.UntilAsync(() => g.Runtime.Current.Workers.Sum(w => w.InFlight) == 6, "six requests in flight");
        var during = await g.Client.GetStringAsync("metrics");
        await Task.WhenAll(load);
        // The client can see the end of a response a moment before the handler records its outcome.
        await GatewayHarness.UntilAsync(() => g.Runtime.Counters.Finished == 6, "six outcomes recorded");
        var after = await g.Client.GetStringAsync("metrics");

        // 6 in flight at a target of 2 per worker: 3 replicas wanted.
        during.ShouldContain("tpd_gateway_desired_replicas{pool=\"default\"} 3");
        during.ShouldContain("tpd_gateway_pool_requests_in_flight{pool=\"default\"} 6");
        during.ShouldMatch(@"tpd_gateway_requests_in_flight\{pool=""default"",worker=""a""\} 3");
        after.ShouldContain("tpd_gateway_requests_total{pool=\"default\",outcome=\"ok\"} 6");
        after.ShouldContain("tpd_gateway_worker_price_dollars_per_hour{pool=\"default\",worker=\"b\"} 4");
        after.ShouldContain("tpd_gateway_worker_drained{pool=\"default\",worker=\"a\",reason=\"auto\"} 0");
        after.ShouldContain("tpd_gateway_output_tokens_total{pool=\"default\",worker=\"a\"} 120");
        after.ShouldContain("tpd_gateway_overhead_seconds_bucket{pool=\"default\",le=\"+Inf\"} 6");
        after.ShouldContain("tpd_gateway_worker_ttft_seconds_count{pool=\"default\",worker=\"b\"} 3");
        foreach (var line in after.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            MetricLine().IsMatch(line).ShouldBeTrue(line);
            line[..line.IndexOf('{', StringComparison.Ordinal)].ShouldNotContain(':');
        }
    }

    [Fact]
    public async Task Cost_metrics_follow_price_and_throughput()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a", 200));
        await using var g = await GatewayHarness.StartAsync(workers, "drain:\n  window_seconds: 0.5\n", prices: [3.6]);
        var scraped = false;
        var load = g.LoadAsync(4, TimeSpan.FromSeconds(8), GatewayHarness.Chat(maxTokens: 20), until: () => Volatile.Read(ref scraped));
        // Scrape once a whole window under load has closed (on a busy machine the first may close late).
        var text = "";
        for (var i = 0; i < 80 && (text.Length == 0 || Value(text, "tpd_gateway_output_tokens_per_second{pool=\"default\",worker=\"a\"}") <= 0); i++)
        {
            await Task.Delay(100);
            text = await g.Client.GetStringAsync("metrics");
        }
        var w = g.Runtime.Worker("a")!.Meter.LastWindow;
        Volatile.Write(ref scraped, true);
        await load;

        var tps = Value(text, "tpd_gateway_output_tokens_per_second{pool=\"default\",worker=\"a\"}");
        var perDollar = Value(text, "tpd_gateway_tokens_per_second_per_dollar{pool=\"default\",worker=\"a\"}");
        var perMillion = Value(text, "tpd_gateway_dollars_per_million_tokens{pool=\"default\",worker=\"a\"}");
        tps.ShouldBeGreaterThan(0);
        perDollar.ShouldBe(tps / 3.6, tolerance: 1e-6 * tps);
        // $3.6/hour = $0.001/s; at T tokens/s, a million tokens cost 1e6 / T x 0.001 dollars.
        perMillion.ShouldBe(1000 / tps, tolerance: 1e-6 * perMillion);
        w.MeanInFlight.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Hot_reload_applies_a_valid_change_and_keeps_the_old_config_on_a_bad_one()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync([workers[0]], watchFile: true);
        g.Workers.Add(workers[1]);
        g.Runtime.Current.Workers.Length.ShouldBe(1);

        await ReplaceAsync(g.ConfigPath!, GatewayHarness.Yaml(workers, "routing:\n  policy: power-of-two\n"));
        await Until(() => g.Runtime.Current.Workers.Length == 2);
        g.Runtime.Current.Config.Routing.Policy.ShouldBe(BalancePolicy.PowerOfTwo);
        var seen = new HashSet<string?>();
        for (var i = 0; i < 20; i++)
            seen.Add((await g.StreamAsync(GatewayHarness.Chat(maxTokens: 1))).Worker);
        seen.Count.ShouldBe(2);

        await ReplaceAsync(g.ConfigPath!, GatewayHarness.Yaml(workers, "routing:\n  policy: fastest\n"));
        // The counter moves a moment before the rejection is logged.
        await Until(() => g.Runtime.Counters.ReloadsFailed == 1 && g.Logs.All.Contains("config reload rejected", StringComparison.Ordinal));
        g.Runtime.Current.Config.Routing.Policy.ShouldBe(BalancePolicy.PowerOfTwo);
        g.Runtime.Current.Workers.Length.ShouldBe(2);
        g.Logs.All.ShouldContain("config reload rejected, keeping the running config: routing.policy is 'fastest'; allowed least-requests, least-tokens, power-of-two, affinity");
    }

    [Fact]
    public async Task A_config_written_in_place_in_two_steps_is_applied_without_a_rejection()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync([workers[0]], watchFile: true);
        g.Workers.Add(workers[1]);
        var yaml = GatewayHarness.Yaml(workers, "routing:\n  policy: power-of-two\n");

        // An editor, or a loaded machine, writing in place: truncate, part of the text (up to the middle of worker b's
        // url key), a pause, the rest.
        var cut = yaml.IndexOf("name: b", StringComparison.Ordinal) + "name: b\n    ur".Length;
        await using (var file = new FileStream(g.ConfigPath!, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteAsync(yaml[..cut]);
            await writer.FlushAsync();
            await Task.Delay(300);
            await writer.WriteAsync(yaml[cut..]);
        }

        await Until(() => g.Runtime.Current.Workers.Length == 2);
        g.Runtime.Counters.ReloadsFailed.ShouldBe(0, g.Logs.All);
    }

    /// <summary>
    /// Replaces the config file whole (write a temporary file, then rename over it), as a deploy tool does. Written in
    /// place, a file is read half-written until its last write lands (the test above covers that path).
    /// </summary>
    private static async Task ReplaceAsync(string path, string text)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static Task Until(Func<bool> condition) => GatewayHarness.UntilAsync(condition, "the reload");

    private static double Value(string metrics, string series)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(series, StringComparison.Ordinal));
        var text = line[(series.Length + 1)..];
        return text == "+Inf" ? double.PositiveInfinity : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*\{([a-z_]+=""[^""]*"",?)+\} ([-+0-9.eE]+|\+Inf|NaN)$")]
    private static partial Regex MetricLine();
}
