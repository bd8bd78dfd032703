namespace Tpd.Core.Catalog;

/// <summary>
/// Field names of a GPU entry in a catalog file (the embedded one or a user's override file).
/// The unit is part of each name, as everywhere on the wire. <see cref="GpuSpec.Sources"/> is keyed
/// by these names; a per-type peak is "dense_peak_tflops.fp8", a price "prices.on-demand".
/// </summary>
public static class GpuFields
{
    public const string Id = "id";
    public const string Name = "name";
    public const string Vendor = "vendor";
    public const string Architecture = "architecture";
    public const string ComputeCapability = "compute_capability";
    public const string Aliases = "aliases";

    /// <summary>Capacity on the label in GB (1e9 bytes), as marketed.</summary>
    public const string LabelMemoryGb = "label_memory_gb";

    /// <summary>Total the driver reports (nvidia-smi / rocm-smi / hl-smi) in MiB.</summary>
    public const string UsableMemoryMib = "usable_memory_mib";

    /// <summary>Peak memory bandwidth in GB/s (1e9 bytes per second).</summary>
    public const string MemoryBandwidthGbPerS = "memory_bandwidth_gb_per_s";

    /// <summary>Dense tensor-core peaks in TFLOP/s (TOP/s for int8), keyed by data type.</summary>
    public const string DensePeakTflops = "dense_peak_tflops";

    public const string TdpWatts = "tdp_watts";
    public const string ScaleUpLink = "scale_up_link";

    /// <summary>Scale-up bandwidth per GPU, one direction, in GB/s.</summary>
    public const string ScaleUpGbPerSPerDirection = "scale_up_gb_per_s_per_direction";

    public const string ScaleUpDomain = "scale_up_domain";

    /// <summary>USD per GPU-hour, keyed by price tier (<see cref="PriceTier"/>).</summary>
    public const string Prices = "prices";

    /// <summary>All-in power per GPU in kW (host share and cooling included, TCO convention).</summary>
    public const string AllInPowerKw = "all_in_power_kw";

    public const string Sources = "sources";

    /// <summary>Data-type keys of <see cref="DensePeakTflops"/>: bf16 (also the FP16 rate), fp8, int8, fp4.</summary>
    public static IReadOnlyList<string> DataTypes { get; } = ["bf16", "fp8", "int8", "fp4"];

    /// <summary>Every field an entry may carry, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Id, Name, Vendor, Architecture, ComputeCapability, Aliases, LabelMemoryGb, UsableMemoryMib,
        MemoryBandwidthGbPerS, DensePeakTflops, TdpWatts, ScaleUpLink, ScaleUpGbPerSPerDirection,
        ScaleUpDomain, Prices, AllInPowerKw, Sources,
    ];

    /// <summary>Fields a new GPU must have (an override of an existing GPU may carry any subset).</summary>
    public static IReadOnlyList<string> RequiredForNew { get; } =
    [
        Id, Name, Vendor, Architecture, LabelMemoryGb, UsableMemoryMib, MemoryBandwidthGbPerS,
        DensePeakTflops, TdpWatts, ScaleUpLink, ScaleUpGbPerSPerDirection, ScaleUpDomain,
    ];

    /// <summary>The source key of one data type's peak, e.g. "dense_peak_tflops.fp8".</summary>
    public static string PeakKey(string dataType) => DensePeakTflops + "." + dataType;

    /// <summary>The source key of one tier's price, e.g. "prices.on-demand".</summary>
    public static string PriceKey(string tier) => Prices + "." + tier;
}
