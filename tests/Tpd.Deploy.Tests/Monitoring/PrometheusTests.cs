using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Tpd.Core.Units;
using Tpd.Deploy.Tests.Support;
using Tpd.Gateway.Config;
using Tpd.Gateway.Hosting;
using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;
using Tpd.Twin.Server;
using Xunit.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Tpd.Deploy.Tests.Monitoring;

/// <summary>
/// The dashboard, the alert rules and the autoscalers' queries against a real Prometheus that scrapes a gateway and
/// three twins on loopback while a load runs: the twin-demo overlay's gateway config (the few settings changed for a
/// test of seconds are listed in <see cref="TestConfig"/>), Prometheus at a 1 s scrape and rule interval, and the
/// queries filled in with that overlay's namespace and pool. One twin is slowed 3x (its tokens/s per dollar falls
/// behind and the gateway drains it), one answers 20 % of requests with 503 (worker errors), and the clients ramp
/// past every worker's max_in_flight (the queue grows).
/// </summary>
public sealed class PrometheusTests(ITestOutputHelper output)
{
    private const string ApiKey = "sk-demo-0123456789abcdef0123"; // the demo key whose hash the twin-demo config holds
    private const int MaxInFlight = 6;      // per worker: small, so a few clients fill every worker
    private const int Target = 4;           // target_in_flight_per_worker, and the autoscalers' target with it
    private const int HoldRequests = 22;    // long requests held in flight and queued while desired replicas are compared

    [SkippableFact]
    public async Task Dashboard_alerts_and_autoscaler_queries_return_data_and_agree_with_the_gateway()
    {
        var promtool = Tools.Require("promtool", "apt-get install prometheus; .ci/run installs it");
        var demo = await Overlay.LoadAsync("twin-demo");
        var hpaOverlay = await Overlay.LoadAsync("vllm");
        var ns = demo.Namespace;
        var pool = demo.Config.Pool;
        var rule = demo.Render.One<PrometheusRule>("tpd-gateway");
        var rulesYaml = new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build().Serialize(rule.Spec);
        var dashboard = demo.Render.One<V1ConfigMap>("tpd-gateway-dashboard").Data["dashboard.json"];

        // promtool first: a rule file Prometheus would refuse fails here with promtool's own words.
        var rulesPath = Path.Combine(Path.GetTempPath(), $"tpd-rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(rulesPath, rulesYaml);
        try
        {
            string[] args = ["check", "rules", rulesPath];
            var check = await Tools.RunAsync(promtool, args, TimeSpan.FromSeconds(60));
            check.ExitCode.ShouldBe(0, Tools.Describe("promtool", args, check));
            check.Stdout.ShouldContain($"SUCCESS: {Queries.Rules(rule).Count} rules found");
        }
        finally
        {
            File.Delete(rulesPath);
        }

        // Three twins: a fast one, one that fails 20 % of requests with 503, one 3x slower at the same price.
        var twins = new List<TwinHost>();
        await using var stopTwins = new AsyncDisposer(async () =>
        {
            foreach (var t in twins)
                await t.DisposeAsync();
        });
        for (var i = 0; i < 3; i++)
        {
            var faults = i switch
            {
                1 => TwinFaults.None with { ErrorRates = new Dictionary<int, double> { [503] = 0.2 } },
                2 => TwinFaults.None with { Slowdown = 3 },
                _ => TwinFaults.None,
            };
            twins.Add(await TwinServer.StartAsync(new TwinOptions
            {
                ServedModelName = pool,
                Engine = new EngineOptions { KvBlocks = 20_000, MaxNumSeqs = MaxInFlight, MaxNumBatchedTokens = 8192 },
                Cost = new FixedSteps(Prefill: 0.02, Decode: 0.025),
                MaxModelLen = 8192,
                Seed = i + 1,
                Faults = faults,
            }));
        }

        await using var gateway = await GatewayServer.StartAsync(TestConfig(demo.Config, twins), new GatewayOptions { Logging = b => b.ClearProviders() });

        var config = new StringBuilder(FormattableString.Invariant($$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [rules.yaml]
            scrape_configs:
              - job_name: tpd-gateway
                static_configs:
                  - targets: ['{{gateway.BaseUri.Authority}}']
                    labels: { namespace: {{ns}}, service: tpd-gateway, pod: tpd-gateway-0 }
              - job_name: workers
                static_configs:

            """));
        for (var i = 0; i < twins.Count; i++)
            config.Append(CultureInfo.InvariantCulture, $"      - targets: ['{twins[i].BaseUri.Authority}']\n        labels: {{ namespace: {ns}, service: workers, pod: workers-{i} }}\n");
        await using var prometheus = await PrometheusServer.StartAsync(config.ToString(), new Dictionary<string, string> { ["rules.yaml"] = rulesYaml });

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = gateway.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        // Prometheus hands its first targets to the scraper a few seconds after it starts; load before that would
        // be unseen (the slow twin could be drained before the first scrape).
        await UntilAsync(async () => (await prometheus.QueryAsync("sum(up)")) is [var up] && up.Value == twins.Count + 1 ? true : (bool?)null,
            "Prometheus to scrape the gateway and every twin");
        var start = TimeProvider.System.GetUtcNow();

        // Closed-loop clients ramping 9 -> 15 -> 21 -> 27: past the 18 slots of three workers, then past the 12 left
        // once the slow one is drained, so the gateway's queue grows.
        var load = new RampLoad(http, pool);
        foreach (var clients in new[] { 9, 15, 21, 27 })
        {
            load.SetClients(clients);
            await Task.Delay(TimeSpan.FromSeconds(4));
        }
        await load.StopAsync();
        load.Ok.ShouldBeGreaterThan(50, "requests the ramp completed");

        // Desired replicas, held still: long requests fill every free slot and queue behind, nothing else arrives.
        twins[1].Faults = TwinFaults.None; // no failed attempt may end a held request early
        using var hold = new CancellationTokenSource();
        var held = Enumerable.Range(0, HoldRequests).Select(i => RampLoad.SendAsync(http, pool, 4000, $"hold-{i}", hold.Token)).ToList();
        try
        {
            var own = await UntilAsync(async () =>
            {
                var m = await http.GetStringAsync("metrics");
                var waitingOrServed = Gauge(m, "tpd_gateway_pool_requests_in_flight") + Gauge(m, "tpd_gateway_queue_depth");
                return waitingOrServed == HoldRequests ? Gauge(m, "tpd_gateway_desired_replicas") : (double?)null;
            }, "all held requests in flight or queued at the gateway");
            own.ShouldBe(Math.Ceiling((double)HoldRequests / Target));

            // Prometheus has scraped the held state once its copy of the gateway's figure says the same.
            await UntilAsync(async () => (await prometheus.QueryAsync($"tpd_gateway_desired_replicas{{pool=\"{pool}\"}}")) is [var s] && s.Value == own ? true : (bool?)null,
                "Prometheus to scrape the held state");

            var kedaValue = Single(await prometheus.QueryAsync(demo.Scaler.KedaQuery!), "KEDA query");
            Math.Ceiling(kedaValue / Target).ShouldBe(own, $"KEDA: ceil(({demo.Scaler.KedaQuery}) / threshold)");

            var hpaQuery = Queries.HpaAdapter(await File.ReadAllTextAsync(Repo.PathOf("deploy", "components", "hpa", "prometheus-adapter-values.yaml")),
                "tpd_gateway_pool_load", new Dictionary<string, string> { ["pool"] = hpaOverlay.Scaler.Pool }, ns);
            hpaOverlay.Scaler.Pool.ShouldBe(pool);
            var hpaValue = Single(await prometheus.QueryAsync(hpaQuery.Expr), hpaQuery.Source);
            Math.Ceiling(hpaValue / Target).ShouldBe(own, $"HPA: ceil(({hpaQuery.Expr}) / averageValue)");

            var desiredPanel = Queries.Dashboard(dashboard, ns, pool, "5s").Where(q => q.Source.StartsWith("dashboard panel 'Desired workers'", StringComparison.Ordinal)).ToList();
            desiredPanel.Count.ShouldBe(3);
            Single(await prometheus.QueryAsync(desiredPanel[0].Expr), desiredPanel[0].Source).ShouldBe(own);
            Single(await prometheus.QueryAsync(desiredPanel[1].Expr), desiredPanel[1].Source).ShouldBe(own);
            output.WriteLine($"desired replicas {own}: the gateway's /metrics, KEDA ({kedaValue} / {Target}), HPA ({hpaValue} / {Target}) and the dashboard agree");
        }
        finally
        {
            await hold.CancelAsync();
            await Task.WhenAll(held);
        }
        var end = TimeProvider.System.GetUtcNow();

        // Every expression returned a number at some 1 s step of the run (NaN and +/-Inf do not count).
        var queries = Queries.Dashboard(dashboard, ns, pool, "5s")
            .Concat(Queries.Rules(rule))
            .Append(new Query("KEDA ScaledObject", demo.Scaler.KedaQuery!))
            .Append(Queries.HpaAdapter(await File.ReadAllTextAsync(Repo.PathOf("deploy", "components", "hpa", "prometheus-adapter-values.yaml")),
                "tpd_gateway_pool_load", new Dictionary<string, string> { ["pool"] = pool }, ns))
            .ToList();
        var missing = new List<string>();
        foreach (var q in queries)
        {
            var series = await prometheus.QueryRangeAsync(q.Expr, start, end, TimeSpan.FromSeconds(1));
            var finite = series.Sum(s => s.Values.Count(double.IsFinite));
            output.WriteLine($"{finite,5} finite points  {q.Source}");
            if (finite == 0)
                missing.Add($"{q.Source}: {q.Expr}");
        }
        foreach (var (q, label) in Queries.DashboardVariables(dashboard, ns))
        {
            var values = (await prometheus.QueryAsync(q.Expr)).Select(s => s.Labels.GetValueOrDefault(label)).ToList();
            output.WriteLine($"{q.Source}: {string.Join(", ", values)}");
            if (!values.Contains(label == "pool" ? pool : ns))
                missing.Add($"{q.Source}: {q.Expr}");
        }
        missing.ShouldBeEmpty("expressions that never returned data");

        // The rules as Prometheus evaluated them: no evaluation error, and every alert went pending during the run.
        using (var rules = await prometheus.GetAsync("api/v1/rules"))
        {
            foreach (var r in rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()))
                r.GetProperty("health").GetString().ShouldBe("ok", $"{r.GetProperty("name")}: {(r.TryGetProperty("lastError", out var e) ? e.GetString() : "")}");
        }
        foreach (var alert in rule.Spec.Groups.SelectMany(g => g.Rules).Select(r => r.Alert))
        {
            var alerts = await prometheus.QueryRangeAsync($"ALERTS{{alertname=\"{alert}\"}}", start, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(1));
            alerts.ShouldNotBeEmpty($"alert {alert} never went pending");
        }
    }

    /// <summary>The twin-demo config with what a test of seconds needs instead of minutes; everything else as deployed.</summary>
    private static GatewayConfig TestConfig(GatewayConfig deployed, List<TwinHost> twins)
    {
        var errors = new List<string>();
        return deployed with
        {
            Listen = ConfigLoader.ParseListen("127.0.0.1:0", errors)!,
            // The loopback twins, at the deployed workers' price; max_in_flight = the twins' max_num_seqs, as deployed.
            Workers = [.. twins.Select((t, i) => deployed.Workers[i] with { Url = t.BaseUri, MaxInFlight = MaxInFlight })],
            // Affinity would hash this test's few clients unevenly; least-requests spreads them.
            Routing = deployed.Routing with { Policy = BalancePolicy.LeastRequests },
            // 1 s windows so a drain takes seconds (5 of them, so Prometheus sees the slow worker loaded before it is
            // drained); no readmission probe during the test.
            Drain = deployed.Drain with { Window = TimeSpan.FromSeconds(1), Windows = 5, MinInFlight = 2, ProbeInterval = TimeSpan.FromSeconds(120) },
            Scaling = deployed.Scaling with { TargetInFlightPerWorker = Target },
        };
    }

    private static double Gauge(string metrics, string name) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal)).Split(' ')[^1], CultureInfo.InvariantCulture);

    private static double Single(List<Sample> result, string what)
    {
        result.Count.ShouldBe(1, $"{what}: one series");
        return result[0].Value;
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value; fails after 20 s, far beyond a scrape interval.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what) where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } v)
                return v;
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), $"still waiting for {what}");
            await Task.Delay(100);
        }
    }

    private sealed record FixedSteps(double Prefill, double Decode) : IStepCostModel
    {
        public Duration StepTime(in StepShape shape) => Duration.FromSeconds(shape.PrefillTokens > 0 ? Prefill : Decode);
    }

    private sealed class AsyncDisposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
