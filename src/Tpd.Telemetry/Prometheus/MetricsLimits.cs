namespace Tpd.Telemetry.Prometheus;

/// <summary>
/// How much of a /metrics page is read, after Prometheus' own scrape limits (body_size_limit, sample_limit,
/// label_limit in scrape_config), which default to unlimited; tpd sets them because it reads the whole page into
/// memory. docs/validation/robustness.md lists them with the other input limits.
/// </summary>
public static class MetricsLimits
{
    /// <summary>Longest page: 16 MiB. vLLM's page is about 20 KB per engine (tests/fixtures/reliability/metrics-scrape-1.txt: 21 KB).</summary>
    public const int MaxChars = 16 << 20;

    /// <summary>Samples on one page: 200,000. That vLLM page holds 285 lines; eight data-parallel engines stay under 3,000.</summary>
    public const int MaxSamples = 200_000;

    /// <summary>Labels on one sample: 64. vLLM, SGLang and TGI put at most 6 on a sample.</summary>
    public const int MaxLabels = 64;
}
