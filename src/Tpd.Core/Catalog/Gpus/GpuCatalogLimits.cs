namespace Tpd.Core.Catalog;

/// <summary>
/// What a GPU catalog file may hold. Figures have bounds far outside any GPU in the embedded catalog (its
/// smallest and largest values are named beside each), so that a typo or a hostile value (1e300 GB/s, 2^64 MiB,
/// a $1e300 price, a 5e-324 W board that makes tokens per joule infinite) is an error at load instead of an
/// overflow to infinity deep inside a model. Structural
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

    /// <summary>Length of an id or alias: 128 characters (the longest embedded one has 30).</summary>
    public const int MaxNameChars = 128;

    /// <summary>Length of any other text (name, vendor, a source): 4,096 characters.</summary>
    public const int MaxTextChars = 4_096;

    /// <summary>Capacity on the label: 0.1 to 100,000 GB (embedded 16 to 288).</summary>
    public static readonly FigureRange LabelMemoryGb = new(0.1, 100_000);

    /// <summary>Memory the driver reports: 100 to 100,000,000 MiB (embedded 15,360 to 294,592).</summary>
    public static readonly FigureRange UsableMemoryMib = new(100, 100_000_000);

    /// <summary>Memory bandwidth: 1 to 1,000,000 GB/s (embedded 300 to 8,000).</summary>
    public static readonly FigureRange MemoryBandwidthGbPerS = new(1, 1_000_000);

    /// <summary>A dense peak: 0.1 to 1,000,000 TFLOP/s (embedded 65 to 13,500).</summary>
    public static readonly FigureRange PeakTflops = new(0.1, 1_000_000);

    /// <summary>Board power: 1 to 100,000 W (embedded 70 to 1,400).</summary>
    public static readonly FigureRange TdpWatts = new(1, 100_000);

    /// <summary>Scale-up bandwidth per direction: 0.1 to 1,000,000 GB/s (embedded 16 to 900).</summary>
    public static readonly FigureRange ScaleUpGbPerS = new(0.1, 1_000_000);

    /// <summary>GPUs sharing one scale-up link: 1 to 100,000 (embedded 2 to 72, NVL72).</summary>
    public const double MaxScaleUpDomain = 100_000;

    /// <summary>All-in power per GPU: 0.01 to 1,000 kW (embedded 1.73 to 2.65).</summary>
    public static readonly FigureRange AllInPowerKw = new(0.01, 1_000);

    /// <summary>A price: 0 (owned, or free), or $0.0001 to $10,000 per GPU-hour (embedded $0.34 to $10.50).</summary>
    public static readonly FigureRange DollarsPerGpuHour = new(0.0001, 10_000);
}

/// <summary>The values a positive catalog figure may take, in the unit its field names.</summary>
public sealed record FigureRange(double Min, double Max)
{
    public bool Contains(double v) => v >= Min && v <= Max;
}
