namespace Tpd.Core.Measurement;

/// <summary>
/// The formula printed beside every number, in the words of MEASURE.md. Tools use the same names for
/// different formulas (one tool's TPOT includes TTFT), so reports always say which one this is.
/// </summary>
public static class Formulas
{
    public const string Ttft = "t_first - t_send, per ok request";
    public const string Ttfot = "t_first_content - t_send, per ok request with content (reasoning models)";
    public const string Tpot = "(E2E - TTFT) / (N_out - 1), per ok request with N_out >= 2";
    public const string Itl = "gaps between consecutive token-bearing events, pooled across ok requests";
    public const string E2e = "t_last - t_send, per ok request";
    public const string E2eToEnd = "t_end - t_send, per ok request (includes the usage chunk and [DONE])";
    public const string Ntpot = "E2E / N_out, per ok request with N_out >= 1";

    public const string Duration = "last completion - first dispatch (max t_end - min t_send), warm-up excluded";
    public const string RequestThroughput = "ok requests / duration";
    public const string OutputTokenThroughput = "sum N_out of ok requests / duration";
    public const string TotalTokenThroughput = "sum (N_in + N_out) of ok requests / duration";
    public const string TpotMeanPerRequest = "mean over ok requests of (E2E - TTFT) / (N_out - 1), N_out >= 2 (each request weighs 1)";
    public const string TpotTokenWeighted = "sum (E2E - TTFT) / sum (N_out - 1) over ok requests with N_out >= 2 (each token weighs 1)";
    public const string PerUserTokenRate = "1 / TPOT mean per request";
    public const string MeanConcurrency = "sum E2E of ok requests / duration (Little's law)";
    public const string PeakOutputTokenRate = "max over 1 s buckets from the first dispatch of output tokens whose event falls in the bucket";
    public const string ErrorRate = "(incomplete + error requests) / requests, warm-up excluded";
    public const string WindowedOutputTokenThroughput = "output tokens of ok requests emitted inside [start, end) / (end - start); tokens spread evenly over each request's events";

    public const string Goodput = "ok requests meeting every per-request SLO / duration";
    public const string GoodputTokens = "sum N_out of ok requests meeting every per-request SLO / duration";
    public const string SloAttainment = "ok requests meeting every per-request SLO / ok requests";

    public const string CostPerMillionOutput = "price per hour / (output tokens/s x 3600) x 1e6";
    public const string CostPerMillionTotal = "price per hour / (total tokens/s x 3600) x 1e6";
    public const string CostPerMillionGoodput = "price per hour / (goodput tokens/s x 3600) x 1e6 (cost per SLO-compliant token)";
    public const string JoulesPerOutputToken = "watts / output tokens/s";
    public const string JoulesPerTotalToken = "watts / total tokens/s";
    public const string ElectricityPerMillionOutput = "watts x PUE x $/J / output tokens/s x 1e6";

    public static string Of(LatencyMetric metric) => metric switch
    {
        LatencyMetric.Ttft => Ttft,
        LatencyMetric.Ttfot => Ttfot,
        LatencyMetric.Tpot => Tpot,
        LatencyMetric.Itl => Itl,
        LatencyMetric.E2e => E2e,
        LatencyMetric.E2eToEnd => E2eToEnd,
        LatencyMetric.Ntpot => Ntpot,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown latency metric"),
    };
}
