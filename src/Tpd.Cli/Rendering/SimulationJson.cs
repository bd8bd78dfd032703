using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tpd.Cli.Rendering;

/// <summary>`tpd simulate --json`: the setup, engine figures and every summary figure with its unit and formula.</summary>
internal static class SimulationJson
{
    public static void Write(TextWriter writer, SimulationView v)
    {
        var doc = new SimulationDocument
        {
            Model = v.Request.Model.Id,
            Gpu = v.Request.Gpu.Id,
            TensorParallel = v.Request.Serving.TensorParallel,
            Replicas = v.Replicas,
            Preset = v.Preset,
            Rate = v.Rate,
            Users = v.Users,
            Routing = v.Routing.ToString(),
            DurationSeconds = v.DurationSeconds,
            Seed = v.Seed,
            Submitted = v.Result.Submitted,
            Completed = v.Result.Completed,
            Rejected = v.Result.Rejected,
            Preemptions = v.Result.Preemptions,
            PrefixCacheHitRate = v.Result.PrefixCacheHitRate,
            MeanUtilization = v.MeanUtilization,
            MeanKvUsage = v.MeanKvUsage,
            PeakKvUsage = v.PeakKvUsage,
            DollarsPerHour = v.FleetPrice.DollarsPerHour,
            DollarsPerUserMonth = v.DollarsPerUserMonth,
            Figures = v.Summary.Figures().Select(f => new FigureDocument(f.Name, f.Value, f.Unit, f.Formula)).ToList(),
        };
        writer.WriteLine(JsonSerializer.Serialize(doc, SimulationJsonContext.Default.SimulationDocument));
    }
}

internal sealed record FigureDocument(string Name, double Value, string Unit, string Formula);

internal sealed record SimulationDocument
{
    public required string Model { get; init; }
    public required string Gpu { get; init; }
    public int TensorParallel { get; init; }
    public int Replicas { get; init; }
    public required string Preset { get; init; }
    public double? Rate { get; init; }
    public int? Users { get; init; }
    public required string Routing { get; init; }
    public double DurationSeconds { get; init; }
    public int Seed { get; init; }
    public long Submitted { get; init; }
    public long Completed { get; init; }
    public long Rejected { get; init; }
    public long Preemptions { get; init; }
    public double PrefixCacheHitRate { get; init; }
    public double MeanUtilization { get; init; }
    public double MeanKvUsage { get; init; }
    public double PeakKvUsage { get; init; }
    public double DollarsPerHour { get; init; }
    public double? DollarsPerUserMonth { get; init; }
    public required IReadOnlyList<FigureDocument> Figures { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SimulationDocument))]
internal sealed partial class SimulationJsonContext : JsonSerializerContext;
