using System.Text;

namespace Tpd.Twin.Metrics;

/// <summary>What one engine gauge reading says (the live engine's, or the in-flight count without one).</summary>
/// <param name="Running">Requests in the batch (in flight without an engine).</param>
/// <param name="Waiting">Requests queued.</param>
/// <param name="KvUsage">Share of KV blocks held, 0 to 1.</param>
/// <param name="Preemptions">Preemptions so far.</param>
/// <param name="PrefixCacheQueries">Prompt tokens looked up in the prefix cache (at each request's first admission).</param>
/// <param name="PrefixCacheHits">Of those, tokens found there.</param>
internal readonly record struct Gauges(int Running, int Waiting, double KvUsage, long Preemptions, long PrefixCacheQueries, long PrefixCacheHits);

/// <summary>
/// vLLM's /metrics, names and buckets as vllm/v1/metrics/loggers.py (v0.10) writes them, labelled with model_name.
/// Latencies are wall seconds, what a client of the twin measures (simulated seconds / time factor).
/// </summary>
internal sealed class TwinMetrics(string modelName)
{
    /// <summary>vLLM's TTFT buckets (loggers.py histogram_time_to_first_token).</summary>
    public static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];

    /// <summary>vLLM's inter-token and per-output-token buckets.</summary>
    public static readonly double[] TokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];

    /// <summary>vLLM's request_latency_buckets (e2e, queue, inference, prefill, decode).</summary>
    public static readonly double[] RequestBuckets = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

    private readonly string _labels = "model_name=\"" + PrometheusText.Escape(modelName) + "\"";
    private long _promptTokens;
    private long _generationTokens;
    private long _stop;
    private long _length;
    private long _abort;

    public Histogram Ttft { get; } = new("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TtftBuckets);
    public Histogram Itl { get; } = new("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", TokenBuckets);
    public Histogram Tpot { get; } = new("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds (deprecated name of inter_token_latency_seconds).", TokenBuckets);
    public Histogram RequestTpot { get; } = new("vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.", TokenBuckets);
    public Histogram E2e { get; } = new("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", RequestBuckets);
    public Histogram Queue { get; } = new("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", RequestBuckets);
    public Histogram Inference { get; } = new("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.", RequestBuckets);
    public Histogram Prefill { get; } = new("vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.", RequestBuckets);
    public Histogram Decode { get; } = new("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.", RequestBuckets);

    public void PromptTokens(int n) => Interlocked.Add(ref _promptTokens, n);

    public void GenerationTokens(int n) => Interlocked.Add(ref _generationTokens, n);

    /// <summary>One finished request (all times wall seconds on one clock).</summary>
    public void Finished(string reason, double arrival, double scheduled, double first, double last, int outputTokens)
    {
        switch (reason)
        {
            case "stop": Interlocked.Increment(ref _stop); break;
            case "length": Interlocked.Increment(ref _length); break;
            default: Interlocked.Increment(ref _abort); return;
        }

        E2e.Observe(last - arrival);
        Queue.Observe(scheduled - arrival);
        Inference.Observe(last - scheduled);
        Prefill.Observe(first - scheduled);
        Decode.Observe(last - first);
        if (outputTokens > 1)
            RequestTpot.Observe((last - first) / (outputTokens - 1));
    }

    public void Gaps(double gap, int count)
    {
        Itl.Observe(gap, count);
        Tpot.Observe(gap, count);
    }

    public string Render(Gauges g)
    {
        var sb = new StringBuilder(16 * 1024);
        Gauge(sb, "vllm:num_requests_running", "Number of requests in model execution batches.", g.Running);
        Gauge(sb, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", g.Waiting);
        Gauge(sb, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", g.KvUsage);
        Gauge(sb, "vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage (deprecated name of kv_cache_usage_perc).", g.KvUsage);
        // Tokens, as vLLM v1 counts them (KVCacheManager.get_computed_blocks: queries += request.num_tokens, hits +=
        // cached tokens); the gpu_ names are the deprecated ones v0.10 still writes.
        Counter(sb, "vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.", g.PrefixCacheQueries);
        Counter(sb, "vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.", g.PrefixCacheHits);
        Counter(sb, "vllm:gpu_prefix_cache_queries_total", "GPU prefix cache queries, in terms of number of queried tokens. DEPRECATED: Use vllm:prefix_cache_queries instead.", g.PrefixCacheQueries);
        Counter(sb, "vllm:gpu_prefix_cache_hits_total", "GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use vllm:prefix_cache_hits instead.", g.PrefixCacheHits);
        Counter(sb, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", g.Preemptions);
        Counter(sb, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", Interlocked.Read(ref _promptTokens));
        Counter(sb, "vllm:generation_tokens_total", "Number of generation tokens processed.", Interlocked.Read(ref _generationTokens));
        sb.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        foreach (var (reason, value) in new[] { ("stop", Interlocked.Read(ref _stop)), ("length", Interlocked.Read(ref _length)), ("abort", Interlocked.Read(ref _abort)) })
            sb.Append("vllm:request_success_total{finished_reason=\"").Append(reason).Append("\",").Append(_labels).Append("} ").Append(PrometheusText.Number(value)).Append('\n');
        foreach (var h in new[] { Ttft, Itl, Tpot, RequestTpot, E2e, Queue, Inference, Prefill, Decode })
            h.Write(sb, _labels);
        return sb.ToString();
    }

    private void Gauge(StringBuilder sb, string name, string help, double value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" gauge\n");
        sb.Append(name).Append('{').Append(_labels).Append("} ").Append(PrometheusText.Number(value)).Append('\n');
    }

    private void Counter(StringBuilder sb, string name, string help, double value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" counter\n");
        sb.Append(name).Append('{').Append(_labels).Append("} ").Append(PrometheusText.Number(value)).Append('\n');
    }
}
