namespace Tpd.Telemetry.Prometheus;

/// <summary>
/// Maps one engine's /metrics names onto <see cref="EngineSnapshot"/>. Where an engine renamed a metric the
/// newer name wins and the older one is the fallback, never both (vLLM's union exports carry both
/// <c>kv_cache_usage_perc</c> and the V0 <c>gpu_cache_usage_perc</c>; adding them would double the usage).
/// Names: vLLM docs/design/metrics.md and vllm/v1/metrics/loggers.py; SGLang
/// docs/references/production_metrics.md; TGI router/src/server.rs metric names (tgi_*). Values are checked
/// for what each metric means (counters and queues finite and not negative, KV usage 0..1): one that cannot be
/// is left out and listed in <see cref="EngineSnapshot.Invalid"/>.
/// </summary>
public static class EngineMetricsNormalizer
{
    public static ServingEngine Detect(MetricsScrape scrape)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        var names = scrape.Families.Select(f => f.Name).ToList();
        if (names.Any(n => n.StartsWith("vllm:", StringComparison.Ordinal)))
            return ServingEngine.Vllm;
        if (names.Any(n => n.StartsWith("sglang:", StringComparison.Ordinal)))
            return ServingEngine.Sglang;
        if (names.Any(n => n.StartsWith("tgi_", StringComparison.Ordinal)))
            return ServingEngine.Tgi;
        return ServingEngine.Unknown;
    }

    public static EngineSnapshot Normalize(MetricsScrape scrape) => Detect(scrape) switch
    {
        ServingEngine.Vllm => Vllm(scrape),
        ServingEngine.Sglang => Sglang(scrape),
        ServingEngine.Tgi => Tgi(scrape),
        _ => new EngineSnapshot { Engine = ServingEngine.Unknown },
    };

    private static EngineSnapshot Vllm(MetricsScrape m)
    {
        var r = new Reader(m);
        return new EngineSnapshot
        {
            Engine = ServingEngine.Vllm,
            RequestsRunning = r.Sum(nameof(EngineSnapshot.RequestsRunning), "vllm:num_requests_running"),
            RequestsWaiting = r.Sum(nameof(EngineSnapshot.RequestsWaiting), "vllm:num_requests_waiting"),
            // V1 renamed gpu_cache_usage_perc to kv_cache_usage_perc (both 0..1 despite "perc").
            KvCacheUsage = r.Fraction(nameof(EngineSnapshot.KvCacheUsage), "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
            PreemptionsTotal = r.Sum(nameof(EngineSnapshot.PreemptionsTotal), "vllm:num_preemptions_total", "vllm:num_preemptions"),
            PromptTokensTotal = r.Sum(nameof(EngineSnapshot.PromptTokensTotal), "vllm:prompt_tokens_total", "vllm:prompt_tokens"),
            GenerationTokensTotal = r.Sum(nameof(EngineSnapshot.GenerationTokensTotal), "vllm:generation_tokens_total", "vllm:generation_tokens"),
            QueueTime = r.Histogram(nameof(EngineSnapshot.QueueTime), "vllm:request_queue_time_seconds"),
            InferenceTime = r.Histogram(nameof(EngineSnapshot.InferenceTime), "vllm:request_inference_time_seconds"),
            EndToEnd = r.Histogram(nameof(EngineSnapshot.EndToEnd), "vllm:e2e_request_latency_seconds"),
            TimeToFirstToken = r.Histogram(nameof(EngineSnapshot.TimeToFirstToken), "vllm:time_to_first_token_seconds"),
            // V1 renamed time_per_output_token_seconds (per-token gaps) to inter_token_latency_seconds.
            InterTokenLatency = r.Histogram(nameof(EngineSnapshot.InterTokenLatency), "vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"),
            Sources = r.Sources,
            Invalid = r.Invalid,
        };
    }

    private static EngineSnapshot Sglang(MetricsScrape m)
    {
        var r = new Reader(m);
        return new EngineSnapshot
        {
            Engine = ServingEngine.Sglang,
            RequestsRunning = r.Sum(nameof(EngineSnapshot.RequestsRunning), "sglang:num_running_reqs"),
            RequestsWaiting = r.Sum(nameof(EngineSnapshot.RequestsWaiting), "sglang:num_queue_reqs"),
            KvCacheUsage = r.Fraction(nameof(EngineSnapshot.KvCacheUsage), "sglang:token_usage"),
            PreemptionsTotal = r.Sum(nameof(EngineSnapshot.PreemptionsTotal), "sglang:num_retracted_requests_total"),
            PromptTokensTotal = r.Sum(nameof(EngineSnapshot.PromptTokensTotal), "sglang:prompt_tokens_total"),
            GenerationTokensTotal = r.Sum(nameof(EngineSnapshot.GenerationTokensTotal), "sglang:generation_tokens_total"),
            QueueTime = r.Histogram(nameof(EngineSnapshot.QueueTime), "sglang:queue_time_seconds"),
            EndToEnd = r.Histogram(nameof(EngineSnapshot.EndToEnd), "sglang:e2e_request_latency_seconds"),
            TimeToFirstToken = r.Histogram(nameof(EngineSnapshot.TimeToFirstToken), "sglang:time_to_first_token_seconds"),
            InterTokenLatency = r.Histogram(nameof(EngineSnapshot.InterTokenLatency), "sglang:inter_token_latency_seconds", "sglang:time_per_output_token_seconds"),
            Sources = r.Sources,
            Invalid = r.Invalid,
        };
    }

    private static EngineSnapshot Tgi(MetricsScrape m)
    {
        var r = new Reader(m);
        return new EngineSnapshot
        {
            Engine = ServingEngine.Tgi,
            RequestsRunning = r.Sum(nameof(EngineSnapshot.RequestsRunning), "tgi_batch_current_size"),
            RequestsWaiting = r.Sum(nameof(EngineSnapshot.RequestsWaiting), "tgi_queue_size"),
            // TGI counts tokens only per finished request, in histograms: their _sum is the token total.
            PromptTokensTotal = r.Sum(nameof(EngineSnapshot.PromptTokensTotal), "tgi_request_input_length_sum"),
            GenerationTokensTotal = r.Sum(nameof(EngineSnapshot.GenerationTokensTotal), "tgi_request_generated_tokens_sum"),
            QueueTime = r.Histogram(nameof(EngineSnapshot.QueueTime), "tgi_request_queue_duration"),
            InferenceTime = r.Histogram(nameof(EngineSnapshot.InferenceTime), "tgi_request_inference_duration"),
            EndToEnd = r.Histogram(nameof(EngineSnapshot.EndToEnd), "tgi_request_duration"),
            InterTokenLatency = r.Histogram(nameof(EngineSnapshot.InterTokenLatency), "tgi_request_mean_time_per_token_duration"),
            Sources = r.Sources,
            Invalid = r.Invalid,
        };
    }

    /// <summary>Reads the first name that exists, records which one it was, and checks the value against what it means.</summary>
    private sealed class Reader(MetricsScrape m)
    {
        private const string NotNegative = "a finite number, 0 or more";

        public Dictionary<string, string> Sources { get; } = [];

        public List<InvalidMetric> Invalid { get; } = [];

        /// <summary>A counter or a queue length, summed over label sets: finite and not negative.</summary>
        public double? Sum(string field, params string[] names) => First(field, names, m.Sum, v => v >= 0, NotNegative);

        /// <summary>A usage fraction, the highest over label sets: 0 to 1.</summary>
        public double? Fraction(string field, params string[] names) => First(field, names, m.Max, v => v is >= 0 and <= 1, "a fraction from 0 to 1");

        public HistogramTotals? Histogram(string field, params string[] names)
        {
            foreach (var n in names)
            {
                if (m.Histogram(n) is not { } h)
                    continue;
                Sources[field] = n;
                if (!Ok(h.Sum) || !Ok(h.Count) || h.Buckets.Any(b => !Ok(b.CumulativeCount)))
                {
                    var bad = !Ok(h.Sum) ? (n + "_sum", h.Sum) : !Ok(h.Count) ? (n + "_count", h.Count) : (n + "_bucket", h.Buckets.First(b => !Ok(b.CumulativeCount)).CumulativeCount);
                    Invalid.Add(new InvalidMetric(bad.Item1, Show(bad.Item2), NotNegative));
                    return null;
                }

                return h;
            }

            return null;

            static bool Ok(double v) => double.IsFinite(v) && v >= 0;
        }

        private double? First(string field, string[] names, Func<string, double?> read, Func<double, bool> valid, string expected)
        {
            foreach (var n in names)
            {
                if (read(n) is { } v)
                {
                    Sources[field] = n;
                    if (double.IsFinite(v) && valid(v))
                        return v;
                    Invalid.Add(new InvalidMetric(n, Show(v), expected));
                    return null;
                }
            }

            return null;
        }

        /// <summary>As the exposition format spells it: NaN, +Inf, -Inf.</summary>
        private static string Show(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("G", System.Globalization.CultureInfo.InvariantCulture);
    }
}
