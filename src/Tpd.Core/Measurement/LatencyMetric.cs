namespace Tpd.Core.Measurement;

/// <summary>The per-request latency metrics of MEASURE.md.</summary>
public enum LatencyMetric
{
    /// <summary>Time to first token: t_first - t_send.</summary>
    Ttft,

    /// <summary>Time to first non-reasoning content token: t_first_content - t_send.</summary>
    Ttfot,

    /// <summary>Time per output token: (E2E - TTFT) / (N_out - 1).</summary>
    Tpot,

    /// <summary>Inter-token latency: gaps between consecutive token-bearing events, pooled.</summary>
    Itl,

    /// <summary>End to end: t_last - t_send.</summary>
    E2e,

    /// <summary>End to end including the tail (usage chunk, [DONE]): t_end - t_send.</summary>
    E2eToEnd,

    /// <summary>Normalized time per output token: E2E / N_out.</summary>
    Ntpot,
}
