using Tpd.Core.Formats;
using Tpd.Core.Units;

namespace Tpd.Core.Catalog;

/// <summary>Turns a validated, merged catalog entry (wire units) into a <see cref="GpuSpec"/> (unit types).</summary>
internal static class GpuSpecFactory
{
    public static GpuSpec Create(GpuEntry e) => new()
    {
        Id = e.Id!,
        Name = e.Name!,
        Vendor = e.Vendor!,
        Architecture = e.Architecture!,
        ComputeCapability = e.ComputeCapability,
        Aliases = (e.Aliases ?? []).AsReadOnly(),
        LabelMemory = DataSize.FromGB(e.LabelMemoryGb!.Value),
        UsableMemory = DataSize.FromMiB(e.UsableMemoryMib!.Value),
        MemoryBandwidth = Bandwidth.FromGBps(e.MemoryBandwidthGbPerS!.Value),
        DensePeak = e.DensePeakTflops!
            .Select(kv => (Type: ParseType(kv.Key), Peak: FlopRate.FromTeraflops(kv.Value)))
            .OrderBy(x => x.Type)
            .ToDictionary(x => x.Type, x => x.Peak)
            .AsReadOnly(),
        Tdp = Power.FromWatts(e.TdpWatts!.Value),
        ScaleUpBandwidth = Bandwidth.FromGBps(e.ScaleUpGbPerSPerDirection!.Value),
        ScaleUpLink = e.ScaleUpLink!,
        ScaleUpDomain = (int)e.ScaleUpDomain!.Value,
        Prices = (e.Prices ?? [])
            .OrderBy(kv => TierOrder(kv.Key))
            .ToDictionary(kv => kv.Key, kv => MoneyRate.FromDollarsPerHour(kv.Value))
            .AsReadOnly(),
        AllInPower = e.AllInPowerKw is { } kw ? Power.FromKilowatts(kw) : null,
        Sources = (e.Sources ?? [])
            .OrderBy(kv => SourceOrder(kv.Key))
            .ThenBy(kv => SubOrder(kv.Key))
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value)
            .AsReadOnly(),
    };

    /// <summary>The JSON data-type key of a compute type ("bf16", "fp8", "int8", "fp4").</summary>
    public static string Key(ComputeType type) => type switch
    {
        ComputeType.Bf16 => "bf16",
        ComputeType.Fp8 => "fp8",
        ComputeType.Int8 => "int8",
        ComputeType.Fp4 => "fp4",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no catalog key for this compute type"),
    };

    private static ComputeType ParseType(string key) => key switch
    {
        "bf16" => ComputeType.Bf16,
        "fp8" => ComputeType.Fp8,
        "int8" => ComputeType.Int8,
        "fp4" => ComputeType.Fp4,
        _ => throw new InvalidOperationException($"data type '{key}' passed validation; GpuFields.DataTypes and ParseType disagree"),
    };

    private static int TierOrder(string tier)
    {
        var i = PriceTier.All.ToList().IndexOf(tier);
        return i < 0 ? int.MaxValue : i;
    }

    private static int SubOrder(string key)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
            return 0;
        var sub = key[(dot + 1)..];
        var i = key.StartsWith(GpuFields.Prices, StringComparison.Ordinal)
            ? TierOrder(sub)
            : GpuFields.DataTypes.ToList().IndexOf(sub);
        return i < 0 ? int.MaxValue : i;
    }

    private static int SourceOrder(string key)
    {
        var field = key.Split('.')[0];
        var i = GpuFields.All.ToList().IndexOf(field);
        return i < 0 ? int.MaxValue : i;
    }
}
