namespace Tpd.Core.Catalog;

/// <summary>
/// What a GPU catalog file may hold. Figures have upper bounds far above any GPU in the embedded catalog
/// (its largest value is named beside each), so that a typo or a hostile value (1e300 GB/s, 2^64 MiB, a
/// $1e300 price) is an error at load instead of an overflow to infinity deep inside a model. Structural
/// limits keep one file from costing more than milliseconds: "did you mean" compares every name with every
/// other, so the count and length of names are bounded. docs/validation/robustness.md lists them all.
/// </summary>
public static class GpuCatalogLimits
{
    /// <summary>Longest file: 4 MiB. The embedded catalog is 54 KB for 24 GPUs.</summary>
    public const int MaxFileChars = 4 << 20;

    /// <summary>JSON nesting: 64, System.Text.Json's default; a catalog nests 4 deep ($.gpus[0].prices.on-demand).</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>GPUs in one file: 256 (the embedded catalog has 24).</summary>
    public const int MaxGpus = 256;

    /// <summary>Aliases of one GPU: 32 (the embedded catalog has at most 5).</summary>
    public const int MaxAliases = 32;

    /// <summary>Length of an id or alias: 128 characters (the longest embedded one has 24).</summary>
    public const int MaxNameChars = 128;

    /// <summary>Length of any other text (name, vendor, a source): 4,096 characters.</summary>
    public const int MaxTextChars = 4_096;

    /// <summary>Capacity on the label: 100,000 GB (embedded maximum 288).</summary>
    public const double MaxLabelMemoryGb = 100_000;

    /// <summary>Memory the driver reports: 100,000,000 MiB (embedded maximum 294,592).</summary>
    public const double MaxUsableMemoryMib = 100_000_000;

    /// <summary>Memory bandwidth: 1,000,000 GB/s (embedded maximum 8,000).</summary>
    public const double MaxMemoryBandwidthGbPerS = 1_000_000;

    /// <summary>A dense peak: 1,000,000 TFLOP/s (embedded maximum 13,500).</summary>
    public const double MaxPeakTflops = 1_000_000;

    /// <summary>Board power: 100,000 W (embedded maximum 1,400).</summary>
    public const double MaxTdpWatts = 100_000;

    /// <summary>Scale-up bandwidth per direction: 1,000,000 GB/s (embedded maximum 900).</summary>
    public const double MaxScaleUpGbPerS = 1_000_000;

    /// <summary>GPUs sharing one scale-up link: 100,000 (embedded maximum 72, NVL72).</summary>
    public const double MaxScaleUpDomain = 100_000;

    /// <summary>All-in power per GPU: 1,000 kW (embedded maximum 2.65).</summary>
    public const double MaxAllInPowerKw = 1_000;

    /// <summary>A price: $10,000 per GPU-hour (embedded maximum $10.50).</summary>
    public const double MaxDollarsPerGpuHour = 10_000;
}
