using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>`tpd bench --json`: every summary figure with its unit and formula, plus the honesty checks.</summary>
internal static class BenchJson
{
    public static void Write(TextWriter writer, RunSummary s, LoadResult result, string recordsPath)
    {
        var doc = new BenchDocument
        {
            Records = recordsPath,
            LateShare = result.Schedule.LateShare.Value,
            AchievedRatePerSecond = result.Schedule.AchievedRate?.Value,
            ClientCpuShare = result.Client.CpuShare,
            ClientBottleneck = result.ClientBottleneck,
            Warnings = result.Warnings,
            Figures = s.Figures().Select(f => new FigureDocument(f.Name, f.Value, f.Unit, f.Formula)).ToList(),
        };
        writer.WriteLine(JsonSerializer.Serialize(doc, BenchJsonContext.Default.BenchDocument));
    }
}

internal sealed record BenchDocument
{
    public required string Records { get; init; }
    public double LateShare { get; init; }
    public double? AchievedRatePerSecond { get; init; }
    public double ClientCpuShare { get; init; }
    public bool ClientBottleneck { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required IReadOnlyList<FigureDocument> Figures { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BenchDocument))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
