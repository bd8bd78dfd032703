using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Units;

namespace Tpd.TestKit.Fakes;

/// <summary>Hand-built GPU specs for tests that must not move when the catalog is revised.</summary>
public static class TestGpus
{
    /// <summary>The napkin seed's B200: 192 GB, 8 TB/s, 4.5 PFLOP/s dense FP8, $4/hour.</summary>
    public static GpuSpec SeedB200 { get; } = Make("seed-b200", 192e9, 8e12, bf16: 2.25e15, fp8: 4.5e15, fp4: 9e15, tdpWatts: 1000, linkBytes: 900e9, dollarsPerHour: 4);

    /// <summary>H100 SXM datasheet figures: 80 GB (81,559 MiB usable), 3.35 TB/s, 989 TFLOP/s BF16 dense, 1,979 FP8.</summary>
    public static GpuSpec H100Sxm { get; } = Make("test-h100-sxm", 81559.0 * 1024 * 1024, 3.35e12, bf16: 989.4e12, fp8: 1978.9e12, fp4: null, tdpWatts: 700, linkBytes: 450e9, dollarsPerHour: 3);

    public static GpuSpec Make(string id, double memoryBytes, double bandwidth, double bf16, double? fp8, double? fp4, double tdpWatts, double linkBytes, double dollarsPerHour, double? labelBytes = null)
    {
        var peaks = new Dictionary<ComputeType, FlopRate> { [ComputeType.Bf16] = FlopRate.FromFlopsPerSecond(bf16) };
        if (fp8 is { } f8)
        {
            peaks[ComputeType.Fp8] = FlopRate.FromFlopsPerSecond(f8);
            peaks[ComputeType.Int8] = FlopRate.FromFlopsPerSecond(f8);
        }

        if (fp4 is { } f4)
            peaks[ComputeType.Fp4] = FlopRate.FromFlopsPerSecond(f4);
        return new GpuSpec
        {
            Id = id,
            Name = id,
            Vendor = "test",
            Architecture = "test",
            LabelMemory = DataSize.FromBytes(labelBytes ?? memoryBytes),
            UsableMemory = DataSize.FromBytes(memoryBytes),
            MemoryBandwidth = Bandwidth.FromBytesPerSecond(bandwidth),
            DensePeak = peaks,
            Tdp = Power.FromWatts(tdpWatts),
            ScaleUpBandwidth = Bandwidth.FromBytesPerSecond(linkBytes),
            ScaleUpLink = "test link",
            ScaleUpDomain = 8,
            Prices = new Dictionary<string, MoneyRate> { [PriceTier.OnDemand] = MoneyRate.FromDollarsPerHour(dollarsPerHour) },
            Sources = new Dictionary<string, string>(),
        };
    }
}
