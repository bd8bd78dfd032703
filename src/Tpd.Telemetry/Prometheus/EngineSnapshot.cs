namespace Tpd.Telemetry.Prometheus;

/// <summary>The serving engine a /metrics page came from, recognised by its metric prefix.</summary>
public enum ServingEngine
{
    Unknown,
    Vllm,
    Sglang,
    Tgi,
}

/// <summary>
/// One scrape of a serving engine in engine-neutral terms. Null means the engine (or this version of it)
/// does not export the quantity. <see cref="Sources"/> names the metric each field was read from, so
/// findings can quote the exact series.
/// </summary>
public sealed record EngineSnapshot
{
    public ServingEngine Engine { get; init; }

    /// <summary>Requests in the running batch (summed over engines / data-parallel ranks).</summary>
    public double? RequestsRunning { get; init; }

    /// <summary>Requests admitted but waiting for a batch slot.</summary>
    public double? RequestsWaiting { get; init; }

    /// <summary>KV-cache usage as a fraction 0..1; with several engines the fullest one (it is the one that preempts).</summary>
    public double? KvCacheUsage { get; init; }

    public double? PreemptionsTotal { get; init; }
    public double? PromptTokensTotal { get; init; }
    public double? GenerationTokensTotal { get; init; }

    /// <summary>Time from arrival to scheduling, per request.</summary>
    public HistogramTotals? QueueTime { get; init; }

    /// <summary>Time from scheduling to the last token (prefill plus decode), per request.</summary>
    public HistogramTotals? InferenceTime { get; init; }

    public HistogramTotals? EndToEnd { get; init; }
    public HistogramTotals? TimeToFirstToken { get; init; }
    public HistogramTotals? InterTokenLatency { get; init; }

    /// <summary>Field name -> metric it was read from ("KvCacheUsage" -> "vllm:kv_cache_usage_perc").</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>Metrics present with a value they cannot have; the fields they would fill are null.</summary>
    public IReadOnlyList<InvalidMetric> Invalid { get; init; } = [];
}
