using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Prometheus;

/// <summary>
/// /metrics pages that change, vanish or carry values a metric cannot have (tests/fixtures/reliability and
/// crafted): each becomes a finding that names the metrics, never an exception and never a NaN in a figure.
/// </summary>
public class HostileMetricsTests
{
    /// <summary>Answers each scrape with the next page of a list.</summary>
    private sealed class Pages(params string[] pages) : IMetricsSource
    {
        private int _next;

        public Task<MetricsScrape> ScrapeAsync(CancellationToken cancellationToken) =>
            Task.FromResult(PrometheusTextParser.Parse(pages[_next++]));
    }

    private static Task<EngineWindow> Sample(params string[] pages) =>
        EngineSampler.SampleAsync(new Pages(pages), TimeSpan.FromMilliseconds(5), TimeProvider.System, CancellationToken.None);

    private static List<Finding> Engine(EngineWindow w) =>
        DoctorRules.Evaluate(new DoctorInput { Engine = w }).Findings.Where(f => f.Id.StartsWith("engine.", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_vllm_scrape_then_an_empty_one_is_a_finding_that_the_metrics_vanished()
    {
        var w = await Sample(Fixtures.Read("reliability/metrics-scrape-1.txt"), Fixtures.Read("reliability/metrics-scrape-2-empty.txt"));

        w.EarlierEngine.ShouldBe(ServingEngine.Vllm);
        w.Engine.ShouldBe(ServingEngine.Unknown);
        w.GenerationTokenRate.ShouldBeNull();
        var findings = Engine(w);
        findings.Select(x => x.Id).ShouldBe(["engine.metrics-changed", "engine.metrics-invalid"]);
        var f = findings[0];
        f.Title.ShouldBe("the Vllm metrics vanished between the scrapes: the second page has no serving-engine metrics, so nothing was measured");
        f.Evidence.ShouldContain(new Evidence("vanished", "vllm:generation_tokens_total"));
        // The fuzzed first page also counts -5 requests in its histograms: named, not used.
        findings[1].Evidence.ShouldContain(new Evidence("vllm:time_to_first_token_seconds_count", "-5 (expected a finite number, 0 or more)"));
    }

    [Fact]
    public async Task A_switch_to_another_engine_is_a_finding_too()
    {
        var w = await Sample("vllm:num_requests_running 1\n", "tgi_queue_size 1\n");

        Engine(w).Single().Title.ShouldBe("the metrics changed from Vllm to Tgi between the scrapes, so nothing was measured");
    }

    [Fact]
    public void Between_still_refuses_two_engines_from_a_caller_that_chose_them() =>
        Should.Throw<ArgumentException>(() => EngineWindow.Between(new EngineSnapshot { Engine = ServingEngine.Vllm }, new EngineSnapshot(), Duration.FromSeconds(1)));

    [Fact]
    public async Task A_metric_that_vanishes_from_one_engine_is_named()
    {
        var w = await Sample(
            "vllm:generation_tokens_total 10\nvllm:prompt_tokens_total 5\n",
            "vllm:generation_tokens_total 20\n");

        w.GenerationTokenRate.ShouldNotBeNull();
        w.VanishedMetrics.ShouldBe(["vllm:prompt_tokens_total"]);
        Engine(w).Single(f => f.Id == "engine.metrics-changed").Title.ShouldBe("1 metric(s) of the first scrape vanished from the second, so their changes were not measured");
    }

    [Theory]
    [InlineData("vllm:generation_tokens_total NaN\n", "vllm:generation_tokens_total", "NaN", "a finite number, 0 or more")]
    [InlineData("vllm:generation_tokens_total +Inf\n", "vllm:generation_tokens_total", "+Inf", "a finite number, 0 or more")]
    [InlineData("vllm:num_requests_waiting -3\n", "vllm:num_requests_waiting", "-3", "a finite number, 0 or more")]
    [InlineData("vllm:kv_cache_usage_perc 95\n", "vllm:kv_cache_usage_perc", "95", "a fraction from 0 to 1")]
    [InlineData("# TYPE vllm:request_queue_time_seconds histogram\nvllm:request_queue_time_seconds_sum NaN\nvllm:request_queue_time_seconds_count 3\n", "vllm:request_queue_time_seconds_sum", "NaN", "a finite number, 0 or more")]
    public void Values_a_metric_cannot_have_are_left_out_and_named(string page, string metric, string value, string expected)
    {
        var s = EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(page));

        s.Invalid.ShouldBe([new InvalidMetric(metric, value, expected)]);
        var w = EngineWindow.Between(s, s, Duration.FromSeconds(1));
        var f = Engine(w).Single(x => x.Id == "engine.metrics-invalid");
        f.Evidence.ShouldBe([new Evidence(metric, $"{value} (expected {expected})"), new Evidence(metric, $"{value} (expected {expected})")]);
        Engine(w).ShouldAllBe(x => !x.Title.Contains("NaN") && !x.Title.Contains("Infinity"));
    }

    [Fact]
    public void A_nan_bucket_bound_is_dropped_from_the_histogram()
    {
        var scrape = PrometheusTextParser.Parse("# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\nh_bucket{le=\"1\"} 2\nh_count 2\nh_sum 1\n");

        scrape.Histogram("h")!.Buckets.Select(b => b.UpperBound).ShouldBe([1.0]);
    }

    [Theory]
    [InlineData("m{a=\"1\",a=\"2\"} 1", "label 'a' appears twice")]
    [InlineData("m 1 1e300", "'1e300' is not a timestamp")]
    [InlineData("m 1 NaN", "'NaN' is not a timestamp")]
    public void Malformed_samples_are_format_errors(string line, string what) =>
        Should.Throw<PrometheusFormatException>(() => PrometheusTextParser.Parse(line)).Message.ShouldContain(what);

    [Fact]
    public void Huge_label_sets_sample_counts_and_pages_are_refused()
    {
        var labels = string.Join(",", Enumerable.Range(0, 65).Select(i => $"l{i}=\"v\""));
        Should.Throw<PrometheusFormatException>(() => PrometheusTextParser.Parse($"m{{{labels}}} 1")).Message.ShouldContain("more than 64 labels on one sample");
        Should.Throw<PrometheusFormatException>(() => PrometheusTextParser.Parse(string.Concat(Enumerable.Repeat("m 1\n", MetricsLimits.MaxSamples + 1))))
            .Message.ShouldContain("more than 200,000 samples");
        Should.Throw<PrometheusFormatException>(() => PrometheusTextParser.Parse(new string('#', MetricsLimits.MaxChars + 1)))
            .Message.ShouldStartWith("the /metrics page holds 16,777,217 characters or more");
    }
}
