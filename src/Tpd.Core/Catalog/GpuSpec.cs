using Tpd.Core.Formats;
using Tpd.Core.Units;

namespace Tpd.Core.Catalog;

/// <summary>
/// One accelerator's datasheet figures. Peak FLOP/s are dense (datasheet sparse figures are twice
/// the dense ones); memory is what the driver reports as usable, not the label.
/// Every figure has an entry in <see cref="Sources"/> keyed by its JSON field name.
/// </summary>
public sealed record GpuSpec
{
    /// <summary>Catalog id used on the command line, e.g. "h100-sxm".</summary>
    public required string Id { get; init; }

    /// <summary>Marketing name, e.g. "NVIDIA H100 SXM5 80GB".</summary>
    public required string Name { get; init; }

    public required string Vendor { get; init; }

    /// <summary>Micro-architecture, e.g. "Hopper", "Blackwell", "CDNA3".</summary>
    public required string Architecture { get; init; }

    /// <summary>CUDA compute capability ("9.0") for NVIDIA parts; null elsewhere.</summary>
    public string? ComputeCapability { get; init; }

    /// <summary>Other names a user may type ("h100", "h100-80gb").</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Capacity on the label (80 GB for H100).</summary>
    public required DataSize LabelMemory { get; init; }

    /// <summary>Capacity the driver exposes (nvidia-smi FB memory total), before any runtime reserve.</summary>
    public required DataSize UsableMemory { get; init; }

    public required Bandwidth MemoryBandwidth { get; init; }

    /// <summary>Dense tensor-core peak per precision; a missing key means the chip has no such cores.</summary>
    public required IReadOnlyDictionary<ComputeType, FlopRate> DensePeak { get; init; }

    /// <summary>Board power (TDP / TBP / max module power).</summary>
    public required Power Tdp { get; init; }

    /// <summary>Scale-up link bandwidth per GPU per direction (NVLink, xGMI, or PCIe when it has none).</summary>
    public required Bandwidth ScaleUpBandwidth { get; init; }

    /// <summary>Name of the scale-up link, e.g. "NVLink 4 via NVSwitch", "PCIe 4.0 x16".</summary>
    public required string ScaleUpLink { get; init; }

    /// <summary>How many GPUs share one scale-up domain at <see cref="ScaleUpBandwidth"/> (8 in an HGX board, 72 in NVL72).</summary>
    public required int ScaleUpDomain { get; init; }

    /// <summary>Price tiers per GPU-hour; keys are tier ids from <see cref="PriceTier"/>.</summary>
    public required IReadOnlyDictionary<string, MoneyRate> Prices { get; init; }

    /// <summary>All-in power per GPU including host share and cooling (TCO convention), when published.</summary>
    public Power? AllInPower { get; init; }

    /// <summary>Source of each figure, keyed by its JSON field name ("memory_bandwidth", "dense_peak.fp8", "prices.on-demand", ...).</summary>
    public required IReadOnlyDictionary<string, string> Sources { get; init; }

    /// <summary>Dense peak for a precision, falling back to the closest precision the chip runs (FP4 -> FP8 -> BF16).</summary>
    public (ComputeType Type, FlopRate Peak) PeakFor(ComputeType wanted)
    {
        for (var t = wanted; ; t = Fallback(t))
        {
            if (DensePeak.TryGetValue(t, out var peak))
                return (t, peak);
            if (t == ComputeType.Bf16)
                throw new InvalidOperationException($"GPU '{Id}' has no BF16 peak in the catalog.");
        }
    }

    private static ComputeType Fallback(ComputeType t) => t switch
    {
        ComputeType.Fp4 => ComputeType.Fp8,
        ComputeType.Fp8 => ComputeType.Bf16,
        ComputeType.Int8 => ComputeType.Bf16,
        _ => ComputeType.Bf16,
    };
}

/// <summary>Price tier ids. TCO tiers follow SemiAnalysis/InferenceMAX (2026-04) all-in $/GPU-hour.</summary>
public static class PriceTier
{
    /// <summary>Typical public on-demand cloud price in 2026.</summary>
    public const string OnDemand = "on-demand";

    /// <summary>All-in TCO at a hyperscaler.</summary>
    public const string Hyperscaler = "hyperscaler-tco";

    /// <summary>All-in TCO at a neocloud.</summary>
    public const string Neocloud = "neocloud-tco";

    /// <summary>3-year rental contract.</summary>
    public const string Rental3Year = "rental-3y";

    public static IReadOnlyList<string> All { get; } = [OnDemand, Hyperscaler, Neocloud, Rental3Year];
}
