using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Prometheus;

public class EngineMetricsNormalizerTests
{
    private static EngineSnapshot Load(string file) =>
        EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(Fixtures.Read("metrics/" + file)));

    [Fact]
    public void Vllm_union_fixture_prefers_new_names_over_their_v0_predecessors()
    {
        var s = Load("datadog_vllm_metrics.txt");
        s.Engine.ShouldBe(ServingEngine.Vllm);
        s.Sources["KvCacheUsage"].ShouldBe("vllm:kv_cache_usage_perc");
        s.Sources["InterTokenLatency"].ShouldBe("vllm:inter_token_latency_seconds");
        s.InterTokenLatency.ShouldNotBeNull().Count.ShouldBe(144);
        s.InterTokenLatency.Sum.ShouldBe(0.6237391703762114);
    }

    [Fact]
    public void Vllm_fixture_reads_counts_tokens_and_queue_versus_inference_histograms()
    {
        var s = Load("datadog_vllm_metrics.txt");
        s.RequestsRunning.ShouldBe(0);
        s.RequestsWaiting.ShouldBe(0);
        s.KvCacheUsage.ShouldBe(0);
        s.PreemptionsTotal.ShouldBe(0);
        s.PromptTokensTotal.ShouldBe(5);
        s.GenerationTokensTotal.ShouldBe(7);
        s.QueueTime.ShouldNotBeNull().Count.ShouldBe(6);
        s.QueueTime.Sum.ShouldBe(7.358146831393242e-05);
        s.InferenceTime.ShouldNotBeNull().Sum.ShouldBe(0.8377432837150991);
        s.TimeToFirstToken.ShouldNotBeNull().Sum.ShouldBe(0.31326723098754883);
        s.EndToEnd.ShouldNotBeNull().Count.ShouldBe(1);
    }

    [Fact]
    public void Vllm_falls_back_to_v0_names_when_the_new_ones_are_absent()
    {
        const string v0 = """
            # TYPE vllm:gpu_cache_usage_perc gauge
            vllm:gpu_cache_usage_perc{model_name="m"} 0.97
            # TYPE vllm:time_per_output_token_seconds histogram
            vllm:time_per_output_token_seconds_sum{model_name="m"} 3.0
            vllm:time_per_output_token_seconds_count{model_name="m"} 100.0
            """;
        var s = EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(v0));
        s.KvCacheUsage.ShouldBe(0.97);
        s.Sources["KvCacheUsage"].ShouldBe("vllm:gpu_cache_usage_perc");
        s.InterTokenLatency.ShouldNotBeNull().Mean.ShouldBe(0.03);
    }

    [Fact]
    public void Vllm_sums_counts_over_the_engine_label_and_takes_the_fullest_kv_cache()
    {
        const string dp = """
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="m"} 3.0
            vllm:num_requests_waiting{engine="1",model_name="m"} 4.0
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
            vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.99
            # TYPE vllm:generation_tokens_total counter
            vllm:generation_tokens_total{engine="0",model_name="m"} 1000.0
            vllm:generation_tokens_total{engine="1",model_name="m"} 500.0
            # TYPE vllm:generation_tokens_created gauge
            vllm:generation_tokens_created{engine="0",model_name="m"} 1.7e9
            """;
        var s = EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse(dp));
        s.RequestsWaiting.ShouldBe(7);
        s.KvCacheUsage.ShouldBe(0.99);
        s.GenerationTokensTotal.ShouldBe(1500);
    }

    [Fact]
    public void Sglang_v0_5_fixture_reads_running_queue_token_usage_and_queue_time()
    {
        var s = Load("datadog_sglang_metrics.txt");
        s.Engine.ShouldBe(ServingEngine.Sglang);
        s.RequestsRunning.ShouldBe(0);
        s.RequestsWaiting.ShouldBe(0);
        s.KvCacheUsage.ShouldBe(0.25);
        s.PromptTokensTotal.ShouldBe(5);
        s.GenerationTokensTotal.ShouldBe(32);
        s.QueueTime.ShouldNotBeNull().Count.ShouldBe(1);
        s.InferenceTime.ShouldBeNull();
        s.EndToEnd.ShouldNotBeNull().Sum.ShouldBe(0.07);
        s.Sources["InterTokenLatency"].ShouldBe("sglang:inter_token_latency_seconds");
    }

    [Fact]
    public void Sglang_docs_fixture_under_load_reads_the_pre_rename_itl_name()
    {
        var s = Load("sglang_docs_llama31_8b.txt");
        s.RequestsRunning.ShouldBe(162);
        s.RequestsWaiting.ShouldBe(2826);
        s.KvCacheUsage.ShouldBe(0.28);
        s.PromptTokensTotal.ShouldBe(8.128902e+06);
        s.GenerationTokensTotal.ShouldBe(7.557572e+06);
        s.Sources["InterTokenLatency"].ShouldBe("sglang:time_per_output_token_seconds");
        s.InterTokenLatency.ShouldNotBeNull().Count.ShouldBe(7.400757e+06);
        s.TimeToFirstToken.ShouldNotBeNull().Count.ShouldBe(11008);
    }

    [Fact]
    public void Tgi_fixture_reads_queue_size_batch_size_and_inference_duration()
    {
        var s = Load("datadog_tgi_payload_excerpt.txt");
        s.Engine.ShouldBe(ServingEngine.Tgi);
        s.RequestsWaiting.ShouldBe(0);
        s.RequestsRunning.ShouldBe(0);
        s.InferenceTime.ShouldNotBeNull().Count.ShouldBe(109);
        // The excerpt stops before tgi_request_queue_duration and the token histograms (see PROVENANCE.md).
        s.QueueTime.ShouldBeNull();
        s.GenerationTokensTotal.ShouldBeNull();
        s.KvCacheUsage.ShouldBeNull();
    }

    [Fact]
    public void Unknown_exporters_are_reported_as_unknown_not_guessed()
    {
        var s = EngineMetricsNormalizer.Normalize(PrometheusTextParser.Parse("process_open_fds 12\n"));
        s.Engine.ShouldBe(ServingEngine.Unknown);
        s.RequestsWaiting.ShouldBeNull();
    }
}
