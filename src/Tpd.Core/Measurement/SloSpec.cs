using System.Globalization;
using System.Text.RegularExpressions;
using Tpd.Core.Units;

namespace Tpd.Core.Measurement;

/// <summary>
/// Service-level objectives. Per-request limits decide which ok requests count as good (goodput, attainment);
/// percentile objectives ("p90 TTFT &lt;= 2 s") are judged on the run's distribution. Null limits are not checked.
/// </summary>
public sealed partial record SloSpec
{
    public Duration? Ttft { get; init; }
    public Duration? Tpot { get; init; }
    public Duration? E2e { get; init; }
    public IReadOnlyList<PercentileSlo> Percentiles { get; init; } = [];

    public bool HasPerRequestLimits => Ttft is not null || Tpot is not null || E2e is not null;

    /// <summary>
    /// Parses a comma-separated list of objectives: per-request limits "ttft&lt;=2s", "tpot&lt;=50ms", "e2e&lt;=30s"
    /// and percentile objectives "p90 ttft&lt;=2s". Every bad item is reported at once.
    /// </summary>
    public static SloSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = new SloSpec();
        var percentiles = new List<PercentileSlo>();
        var errors = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = LimitPattern().Match(raw);
            if (m.Success)
            {
                var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
                var limit = m.Groups["unit"].Value.Equals("ms", StringComparison.OrdinalIgnoreCase) ? Duration.FromMilliseconds(value) : Duration.FromSeconds(value);
                spec = m.Groups["metric"].Value.ToLowerInvariant() switch
                {
                    "ttft" => spec with { Ttft = limit },
                    "tpot" => spec with { Tpot = limit },
                    _ => spec with { E2e = limit },
                };
                continue;
            }

            try
            {
                percentiles.Add(PercentileSlo.Parse(raw));
            }
            catch (FormatException)
            {
                errors.Add($"'{raw}'");
            }
        }

        if (errors.Count > 0)
            throw new FormatException($"cannot read the SLO item(s) {string.Join(", ", errors)}; write per-request limits as 'ttft<=2s', 'tpot<=50ms', 'e2e<=30s' and percentile objectives as 'p90 ttft<=2s', separated by commas");
        return spec with { Percentiles = percentiles };
    }

    [GeneratedRegex(@"^\s*(?<metric>ttft|tpot|e2e)\s*<=\s*(?<v>\d+(\.\d+)?)\s*(?<unit>ms|s)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LimitPattern();

    /// <summary>
    /// True when the request is ok and meets every per-request limit. A request with N_out &lt; 2 has no TPOT
    /// and meets a TPOT limit, as in vLLM's goodput (its TPOT is taken as 0).
    /// </summary>
    public bool IsGood(RequestRecord r) =>
        r.Outcome == RequestOutcome.Ok
        && Meets(r.TtftSeconds, Ttft)
        && Meets(r.TpotSeconds ?? 0, Tpot)
        && Meets(r.E2eSeconds, E2e);

    private static bool Meets(double? value, Duration? limit) =>
        limit is not { } l || (value is { } v && v <= l.Seconds);
}

/// <summary>A percentile objective on a run: p-th percentile of the metric at most the limit.</summary>
public sealed partial record PercentileSlo(LatencyMetric Metric, double Percentile, Duration Limit)
{
    /// <summary>
    /// Parses "p90 ttft &lt;= 2s", "p99 tpot&lt;=50ms", "p50 e2e &lt;= 1.5 s" (case-insensitive; units s or ms;
    /// metrics ttft, ttfot, tpot, itl, e2e, ntpot).
    /// </summary>
    public static PercentileSlo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var m = Pattern().Match(text);
        if (!m.Success)
            throw new FormatException($"cannot read the SLO '{text}'; write it as 'p90 ttft <= 2s' (percentile, metric ttft|ttfot|tpot|itl|e2e|ntpot, <=, a time in s or ms)");

        var p = double.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture);
        if (p is < 0 or > 100)
            throw new FormatException($"percentile {p} in the SLO '{text}' is out of range; use 0 to 100");
        var metric = m.Groups["metric"].Value.ToLowerInvariant() switch
        {
            "ttft" => LatencyMetric.Ttft,
            "ttfot" => LatencyMetric.Ttfot,
            "tpot" => LatencyMetric.Tpot,
            "itl" => LatencyMetric.Itl,
            "e2e" => LatencyMetric.E2e,
            _ => LatencyMetric.Ntpot,
        };
        var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        var limit = m.Groups["unit"].Value.Equals("ms", StringComparison.OrdinalIgnoreCase)
            ? Duration.FromMilliseconds(value)
            : Duration.FromSeconds(value);
        return new PercentileSlo(metric, p, limit);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"p{Percentile:G} {Metric.ToString().ToUpperInvariant()} <= {Limit.Seconds:G} s");

    [GeneratedRegex(@"^\s*p(?<p>\d+(\.\d+)?)\s+(?<metric>ttft|ttfot|tpot|itl|e2e|ntpot)\s*<=\s*(?<v>\d+(\.\d+)?)\s*(?<unit>ms|s)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>The outcome of one percentile objective on a run. Actual is null when the metric had no samples (not met).</summary>
public sealed record PercentileSloResult(PercentileSlo Slo, double? ActualSeconds)
{
    public bool Met => ActualSeconds is { } a && a <= Slo.Limit.Seconds;
}

/// <summary>Goodput under per-request SLOs and the verdict on percentile SLOs.</summary>
public sealed record SloSummary
{
    public required SloSpec Spec { get; init; }
    public required int GoodRequests { get; init; }

    /// <summary>Good requests per second.</summary>
    public required Measured<double> Goodput { get; init; }

    public required Measured<TokenRate> GoodputTokens { get; init; }

    /// <summary>Share of ok requests that are good, 0 to 1 (0 when there are no ok requests).</summary>
    public required Measured<double> Attainment { get; init; }

    public required IReadOnlyList<PercentileSloResult> PercentileResults { get; init; }

    public bool AllPercentilesMet => PercentileResults.All(r => r.Met);
}
