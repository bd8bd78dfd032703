using Tpd.Core.Units;

namespace Tpd.Core.Measurement;

/// <summary>
/// Run-level metrics of MEASURE.md over a set of request records (bench's or the simulator's). Warm-up
/// requests are excluded; only ok requests enter latency statistics and throughput; errors are counted.
/// Each number carries its formula. Build with <see cref="Of"/>.
/// </summary>
public sealed partial record RunSummary
{
    /// <summary>Requests in the run, warm-up excluded.</summary>
    public required int Requests { get; init; }

    public required int WarmupExcluded { get; init; }
    public required int Ok { get; init; }
    public required int Incomplete { get; init; }
    public required int Errors { get; init; }

    /// <summary>Non-ok requests by error class ("http_429", "error_event", "incomplete", ...), ordinal order.</summary>
    public required IReadOnlyDictionary<string, int> ByErrorClass { get; init; }

    public required Measured<double> ErrorRate { get; init; }

    /// <summary>Time of the first dispatch, seconds since the run origin.</summary>
    public required double FirstDispatchSeconds { get; init; }

    public required Measured<Duration> Duration { get; init; }

    /// <summary>Ok requests per second.</summary>
    public required Measured<double> RequestThroughput { get; init; }

    public required Measured<TokenRate> OutputTokenThroughput { get; init; }
    public required Measured<TokenRate> TotalTokenThroughput { get; init; }
    public required Measured<TokenRate> PeakOutputTokenRate { get; init; }

    /// <summary>Sum of N_in over ok requests.</summary>
    public required long InputTokens { get; init; }

    /// <summary>Sum of N_out over ok requests.</summary>
    public required long OutputTokens { get; init; }

    /// <summary>Ok requests whose N_out came from counting events rather than the server's usage.</summary>
    public required int OutputTokensFromEventCount { get; init; }

    public LatencyStats? Ttft { get; init; }
    public LatencyStats? Ttfot { get; init; }
    public LatencyStats? Tpot { get; init; }
    public LatencyStats? Itl { get; init; }
    public LatencyStats? E2e { get; init; }
    public LatencyStats? E2eToEnd { get; init; }
    public LatencyStats? Ntpot { get; init; }

    /// <summary>Mean of per-request TPOT (each request weighs 1); null without a request of N_out >= 2.</summary>
    public Measured<Units.Duration>? TpotMeanPerRequest { get; init; }

    /// <summary>Token-weighted TPOT (each decode interval weighs 1).</summary>
    public Measured<Units.Duration>? TpotTokenWeighted { get; init; }

    /// <summary>Per-user speed: 1 / TPOT mean per request.</summary>
    public Measured<TokenRate>? PerUserTokenRate { get; init; }

    public required Measured<double> MeanConcurrency { get; init; }

    public required OutputLengthValidity OutputLengths { get; init; }

    /// <summary>Present when an SLO was given.</summary>
    public SloSummary? Slo { get; init; }

    /// <summary>Present when a price or power was given.</summary>
    public CostSummary? Cost { get; init; }

    /// <summary>The latency statistics of a metric, or null when it had no samples.</summary>
    public LatencyStats? Stats(LatencyMetric metric) => metric switch
    {
        LatencyMetric.Ttft => Ttft,
        LatencyMetric.Ttfot => Ttfot,
        LatencyMetric.Tpot => Tpot,
        LatencyMetric.Itl => Itl,
        LatencyMetric.E2e => E2e,
        LatencyMetric.E2eToEnd => E2eToEnd,
        LatencyMetric.Ntpot => Ntpot,
        _ => null,
    };
}
