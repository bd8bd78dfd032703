using Tpd.Core.Units;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Tests.Prometheus;

public class EngineWindowTests
{
    // Two crafted vLLM V1 scrapes 30 s apart over two engines. Between them: 12 requests finished
    // (engine 0: 8, engine 1: 4) with 18 s of queue time and 6 s of inference time in total,
    // 4500 prompt and 9000 generation tokens, 3 preemptions.
    private const string First = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 10.0
        vllm:num_requests_running{engine="1",model_name="m"} 10.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
        vllm:num_requests_waiting{engine="1",model_name="m"} 0.0
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.90
        vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.50
        # TYPE vllm:num_preemptions_total counter
        vllm:num_preemptions_total{engine="0",model_name="m"} 5.0
        vllm:num_preemptions_total{engine="1",model_name="m"} 0.0
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{engine="0",model_name="m"} 10000.0
        vllm:prompt_tokens_total{engine="1",model_name="m"} 5000.0
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 20000.0
        vllm:generation_tokens_total{engine="1",model_name="m"} 10000.0
        # TYPE vllm:request_queue_time_seconds histogram
        vllm:request_queue_time_seconds_bucket{engine="0",le="1.0",model_name="m"} 10.0
        vllm:request_queue_time_seconds_bucket{engine="0",le="+Inf",model_name="m"} 20.0
        vllm:request_queue_time_seconds_count{engine="0",model_name="m"} 20.0
        vllm:request_queue_time_seconds_sum{engine="0",model_name="m"} 30.0
        vllm:request_queue_time_seconds_bucket{engine="1",le="1.0",model_name="m"} 5.0
        vllm:request_queue_time_seconds_bucket{engine="1",le="+Inf",model_name="m"} 10.0
        vllm:request_queue_time_seconds_count{engine="1",model_name="m"} 10.0
        vllm:request_queue_time_seconds_sum{engine="1",model_name="m"} 12.0
        # TYPE vllm:request_inference_time_seconds histogram
        vllm:request_inference_time_seconds_count{engine="0",model_name="m"} 20.0
        vllm:request_inference_time_seconds_sum{engine="0",model_name="m"} 10.0
        vllm:request_inference_time_seconds_count{engine="1",model_name="m"} 10.0
        vllm:request_inference_time_seconds_sum{engine="1",model_name="m"} 5.0
        """;

    private const string Second = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 12.0
        vllm:num_requests_running{engine="1",model_name="m"} 9.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="m"} 6.0
        vllm:num_requests_waiting{engine="1",model_name="m"} 1.0
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.98
        vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.60
        # TYPE vllm:num_preemptions_total counter
        vllm:num_preemptions_total{engine="0",model_name="m"} 8.0
        vllm:num_preemptions_total{engine="1",model_name="m"} 0.0
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{engine="0",model_name="m"} 13000.0
        vllm:prompt_tokens_total{engine="1",model_name="m"} 6500.0
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 26000.0
        vllm:generation_tokens_total{engine="1",model_name="m"} 13000.0
        # TYPE vllm:request_queue_time_seconds histogram
        vllm:request_queue_time_seconds_bucket{engine="0",le="1.0",model_name="m"} 11.0
        vllm:request_queue_time_seconds_bucket{engine="0",le="+Inf",model_name="m"} 28.0
        vllm:request_queue_time_seconds_count{engine="0",model_name="m"} 28.0
        vllm:request_queue_time_seconds_sum{engine="0",model_name="m"} 44.0
        vllm:request_queue_time_seconds_bucket{engine="1",le="1.0",model_name="m"} 6.0
        vllm:request_queue_time_seconds_bucket{engine="1",le="+Inf",model_name="m"} 14.0
        vllm:request_queue_time_seconds_count{engine="1",model_name="m"} 14.0
        vllm:request_queue_time_seconds_sum{engine="1",model_name="m"} 16.0
        # TYPE vllm:request_inference_time_seconds histogram
        vllm:request_inference_time_seconds_count{engine="0",model_name="m"} 28.0
        vllm:request_inference_time_seconds_sum{engine="0",model_name="m"} 14.0
        vllm:request_inference_time_seconds_count{engine="1",model_name="m"} 14.0
        vllm:request_inference_time_seconds_sum{engine="1",model_name="m"} 7.0
        """;

    private static EngineWindow Window() => EngineWindow.Between(
        EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(First)),
        EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(Second)),
        Duration.FromSeconds(30));

    [Fact]
    public void Between_splits_queue_from_inference_time_using_histogram_deltas()
    {
        var w = Window();
        w.QueueTime.ShouldNotBeNull().Count.ShouldBe(12);
        w.QueueTime.Sum.ShouldBe(18, 1e-9);        // (44-30) + (16-12)
        w.InferenceTime.ShouldNotBeNull().Sum.ShouldBe(6, 1e-9); // (14-10) + (7-5)
        w.MeanQueueSeconds!.Value.ShouldBe(1.5, 1e-9);
        w.MeanInferenceSeconds!.Value.ShouldBe(0.5, 1e-9);
        w.QueueShare!.Value.ShouldBe(18.0 / 24.0, 1e-9);
        w.RequestsFinished.ShouldBe(12);
        w.InferenceTimeDerived.ShouldBeFalse();
    }

    [Fact]
    public void Between_subtracts_queue_time_buckets_so_window_quantiles_are_possible()
    {
        var q = Window().QueueTime.ShouldNotBeNull();
        // le=1: (11-10)+(6-5) = 2 of 12 requests queued at most 1 s.
        q.Buckets.Select(b => b.CumulativeCount).ShouldBe([2.0, 12.0]);
    }

    [Fact]
    public void Between_turns_counter_deltas_into_live_token_rates()
    {
        var w = Window();
        w.PromptTokenRate.ShouldBe(TokenRate.FromTokensPerSecond(4500.0 / 30));
        w.GenerationTokenRate.ShouldBe(TokenRate.FromTokensPerSecond(9000.0 / 30));
        w.Preemptions.ShouldBe(3);
        w.CounterReset.ShouldBeFalse();
    }

    [Fact]
    public void Between_reports_the_latest_queue_state_and_the_fuller_kv_cache()
    {
        var w = Window();
        w.RequestsRunning.ShouldBe(21);
        w.RequestsWaiting.ShouldBe(7);
        w.KvCacheUsage.ShouldBe(0.98);
    }

    [Fact]
    public void Between_counts_from_zero_after_a_restart()
    {
        var restarted = Second.Replace("vllm:generation_tokens_total{engine=\"0\",model_name=\"m\"} 26000.0", "vllm:generation_tokens_total{engine=\"0\",model_name=\"m\"} 0.0", StringComparison.Ordinal)
            .Replace("vllm:generation_tokens_total{engine=\"1\",model_name=\"m\"} 13000.0", "vllm:generation_tokens_total{engine=\"1\",model_name=\"m\"} 600.0", StringComparison.Ordinal);
        var w = EngineWindow.Between(
            EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(First)),
            EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(restarted)),
            Duration.FromSeconds(30));
        w.GenerationTokenRate.ShouldBe(TokenRate.FromTokensPerSecond(600.0 / 30));
        w.CounterReset.ShouldBeTrue();
    }

    [Fact]
    public void Between_derives_sglang_inference_time_as_end_to_end_minus_queue()
    {
        static string Scrape(int count, double queue, double e2e) => $"""
            # TYPE sglang:queue_time_seconds histogram
            sglang:queue_time_seconds_count{"{"}model_name="m"{"}"} {count}
            sglang:queue_time_seconds_sum{"{"}model_name="m"{"}"} {queue}
            # TYPE sglang:e2e_request_latency_seconds histogram
            sglang:e2e_request_latency_seconds_count{"{"}model_name="m"{"}"} {count}
            sglang:e2e_request_latency_seconds_sum{"{"}model_name="m"{"}"} {e2e}
            """;
        var w = EngineWindow.Between(
            EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(Scrape(10, 1, 20))),
            EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(Scrape(20, 41, 80))),
            Duration.FromSeconds(10));
        w.InferenceTimeDerived.ShouldBeTrue();
        w.InferenceTime.ShouldNotBeNull().Sum.ShouldBe(20); // (80-20) - (41-1)
        w.QueueShare!.Value.ShouldBe(40.0 / 60.0, 1e-9);
    }

    [Fact]
    public void Between_rejects_a_non_positive_window_and_mixed_engines()
    {
        var v = EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(First));
        Should.Throw<ArgumentOutOfRangeException>(() => EngineWindow.Between(v, v, Duration.Zero)).Message.ShouldContain("--window");
        var tgi = new EngineSnapshot { Engine = ServingEngine.Tgi };
        Should.Throw<ArgumentException>(() => EngineWindow.Between(v, tgi, Duration.FromSeconds(1))).Message.ShouldContain("Vllm then Tgi");
    }
}
