using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tpd.Core.Catalog;

// The wire shape of a GPU catalog file. Every member is optional so that an override file can carry
// a partial entry; validation (GpuEntryValidator) decides what is required. Unknown members land in
// Unknown so that they can be reported with their path instead of being silently ignored.

internal sealed class GpuCatalogDocument
{
    [JsonPropertyName("about")]
    public string? About { get; set; }

    [JsonPropertyName("gpus")]
    public List<GpuEntry?>? Gpus { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

internal sealed class GpuEntry
{
    [JsonPropertyName(GpuFields.Id)]
    public string? Id { get; set; }

    [JsonPropertyName(GpuFields.Name)]
    public string? Name { get; set; }

    [JsonPropertyName(GpuFields.Vendor)]
    public string? Vendor { get; set; }

    [JsonPropertyName(GpuFields.Architecture)]
    public string? Architecture { get; set; }

    [JsonPropertyName(GpuFields.ComputeCapability)]
    public string? ComputeCapability { get; set; }

    [JsonPropertyName(GpuFields.Aliases)]
    public List<string>? Aliases { get; set; }

    [JsonPropertyName(GpuFields.LabelMemoryGb)]
    public double? LabelMemoryGb { get; set; }

    [JsonPropertyName(GpuFields.UsableMemoryMib)]
    public double? UsableMemoryMib { get; set; }

    [JsonPropertyName(GpuFields.MemoryBandwidthGbPerS)]
    public double? MemoryBandwidthGbPerS { get; set; }

    [JsonPropertyName(GpuFields.DensePeakTflops)]
    public Dictionary<string, double>? DensePeakTflops { get; set; }

    [JsonPropertyName(GpuFields.TdpWatts)]
    public double? TdpWatts { get; set; }

    [JsonPropertyName(GpuFields.ScaleUpLink)]
    public string? ScaleUpLink { get; set; }

    [JsonPropertyName(GpuFields.ScaleUpGbPerSPerDirection)]
    public double? ScaleUpGbPerSPerDirection { get; set; }

    [JsonPropertyName(GpuFields.ScaleUpDomain)]
    public double? ScaleUpDomain { get; set; }

    [JsonPropertyName(GpuFields.Prices)]
    public Dictionary<string, double>? Prices { get; set; }

    [JsonPropertyName(GpuFields.AllInPowerKw)]
    public double? AllInPowerKw { get; set; }

    [JsonPropertyName(GpuFields.Sources)]
    public Dictionary<string, string>? Sources { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }

    /// <summary>The figures this entry sets, as source keys ("tdp_watts", "prices.on-demand", ...).</summary>
    public IEnumerable<string> FigureKeys()
    {
        if (ComputeCapability is not null) yield return GpuFields.ComputeCapability;
        if (LabelMemoryGb is not null) yield return GpuFields.LabelMemoryGb;
        if (UsableMemoryMib is not null) yield return GpuFields.UsableMemoryMib;
        if (MemoryBandwidthGbPerS is not null) yield return GpuFields.MemoryBandwidthGbPerS;
        foreach (var type in DensePeakTflops?.Keys ?? Enumerable.Empty<string>())
            yield return GpuFields.PeakKey(type);
        if (TdpWatts is not null) yield return GpuFields.TdpWatts;
        if (ScaleUpLink is not null) yield return GpuFields.ScaleUpLink;
        if (ScaleUpGbPerSPerDirection is not null) yield return GpuFields.ScaleUpGbPerSPerDirection;
        if (ScaleUpDomain is not null) yield return GpuFields.ScaleUpDomain;
        foreach (var tier in Prices?.Keys ?? Enumerable.Empty<string>())
            yield return GpuFields.PriceKey(tier);
        if (AllInPowerKw is not null) yield return GpuFields.AllInPowerKw;
    }

    /// <summary>A deep copy, so that merging an override never mutates a catalog already handed out.</summary>
    public GpuEntry Clone() => new()
    {
        Id = Id,
        Name = Name,
        Vendor = Vendor,
        Architecture = Architecture,
        ComputeCapability = ComputeCapability,
        Aliases = Aliases is null ? null : [.. Aliases],
        LabelMemoryGb = LabelMemoryGb,
        UsableMemoryMib = UsableMemoryMib,
        MemoryBandwidthGbPerS = MemoryBandwidthGbPerS,
        DensePeakTflops = DensePeakTflops is null ? null : new(DensePeakTflops),
        TdpWatts = TdpWatts,
        ScaleUpLink = ScaleUpLink,
        ScaleUpGbPerSPerDirection = ScaleUpGbPerSPerDirection,
        ScaleUpDomain = ScaleUpDomain,
        Prices = Prices is null ? null : new(Prices),
        AllInPowerKw = AllInPowerKw,
        Sources = Sources is null ? null : new(Sources),
    };
}

/// <summary>Source-generated (reflection-free) serializer for catalog files; comments and trailing commas allowed for hand-edited files.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(GpuCatalogDocument))]
internal sealed partial class GpuCatalogJsonContext : JsonSerializerContext;
