using System.Text.Json;
using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Mutation;

namespace Tpd.Fuzz.Tests.Targets;

/// <summary>`tpd estimate --catalog FILE --gpu my-gpu` over mutated GPU catalog override files (each seed adds my-gpu).</summary>
public sealed class GpuCatalogTarget : CliTarget
{
    private static readonly HashSet<string> Texts = ["id", "name", "vendor", "architecture", "compute_capability", "scale_up_link"];

    /// <summary>Figures with their ranges (GpuCatalogLimits).</summary>
    private static readonly Dictionary<string, (double Min, double Max)> Figures = new(StringComparer.Ordinal)
    {
        ["label_memory_gb"] = (0.1, 100_000),
        ["usable_memory_mib"] = (100, 100_000_000),
        ["memory_bandwidth_gb_per_s"] = (1, 1_000_000),
        ["tdp_watts"] = (1, 100_000),
        ["scale_up_gb_per_s_per_direction"] = (0.1, 1_000_000),
        ["scale_up_domain"] = (1, 100_000),
        ["all_in_power_kw"] = (0.01, 1_000),
    };

    public override string Name => "gpu-catalog";

    public override string Extension => ".json";

    public override IMutator Mutator { get; } = new JsonMutator(Rules, path => path.StartsWith("$.gpus[", StringComparison.Ordinal) && path.Count(c => c == '.') is 2 or 3);

    protected override IEnumerable<string> SeedFiles() => FixtureFiles("fuzz/gpu-catalog", "*.json");

    /// <summary>The estimate as JSON: a NaN or infinity there fails System.Text.Json outright, so it cannot slip by as text.</summary>
    protected override string[] Arguments(string path) => ["estimate", "--catalog", path, "--gpu", "my-gpu", "--model", "llama-3.1-8b", "--json"];

    /// <summary>A catalog knows every field it may hold, so any wrong type, impossible figure or unknown key must be refused.</summary>
    private static MustRefuse? Rules(JsonChange c)
    {
        var segments = c.Path.Split('.');
        var inEntry = segments.Length >= 2 && segments[1].StartsWith("gpus[", StringComparison.Ordinal);
        var why = $"{c.Path} = {HfConfigTarget.Brief(c.NewRaw)}";
        if (c.Kind == "add" && (segments.Length == 2 || (inEntry && segments.Length >= 3)))
            return new MustRefuse($"unknown key {c.Path}");
        if (c.Kind != "replace" || !inEntry || segments.Length is < 3 or > 4 || c.NewKind == JsonValueKind.Null && segments.Length == 3)
            return null;
        var field = segments[2];
        if (segments.Length == 3 && Texts.Contains(field))
            return c.NewKind == JsonValueKind.String ? null : new MustRefuse(why);
        if (segments.Length == 3 && Figures.TryGetValue(field, out var range))
            return c.Number is { } v && v >= range.Min && v <= range.Max && (field != "scale_up_domain" || v == Math.Floor(v)) ? null : new MustRefuse(why);
        if (segments.Length == 4 && field is "prices")
            return c.Number is { } p && (p == 0 || p is >= 0.0001 and <= 10_000) ? null : new MustRefuse(why);
        if (segments.Length == 4 && field is "dense_peak_tflops")
            return c.Number is { } t && t is >= 0.1 and <= 1_000_000 ? null : new MustRefuse(why);
        return null;
    }
}
