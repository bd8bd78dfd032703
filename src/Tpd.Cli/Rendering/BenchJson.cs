using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Bench.Load;
using Tpd.Bench.Prediction;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>`tpd bench --json`: every summary figure with its unit and formula, the honesty checks, predictions; a sweep gives one object per point.</summary>
internal static class BenchJson
{
    public static void Write(TextWriter writer, BenchView v)
    {
        var doc = Point(v.Result, v.Summary, v.Prediction, v.Settings.Predict?.Describe) with
        {
            Records = v.Settings.RecordsPath,
            Load = BenchHonesty.DescribeLoad(v.Settings.Plan),
            Workload = v.Settings.Workload,
            Warnings = v.Warnings,
        };
        writer.WriteLine(JsonSerializer.Serialize(doc, BenchJsonContext.Default.BenchDocument));
    }

    public static void Write(TextWriter writer, BenchSweepView v)
    {
        var points = v.Sweep.Points.Select((p, i) => Point(p.Result, p.Summary, v.Predictions[i], v.Settings.Predict?.Describe) with
        {
            Label = p.Label,
            Kind = p.Kind.ToString().ToLowerInvariant(),
            Load = BenchHonesty.DescribeLoad(p.Spec.Plan),
            OverSaturated = p.Saturation.OverSaturated,
            SaturationReason = p.Saturation.Reason,
            Best = ReferenceEquals(p, v.Sweep.Best.Point),
        }).ToList();
        var doc = new SweepDocument
        {
            Records = v.Settings.RecordsPath,
            Workload = v.Settings.Workload,
            Points = points,
            BestPoint = v.Sweep.Best.Point?.Label,
            BestWhy = v.Sweep.Best.Why,
            StoppedEarly = v.Sweep.StoppedEarly,
            Warnings = v.Warnings,
        };
        writer.WriteLine(JsonSerializer.Serialize(doc, BenchJsonContext.Default.SweepDocument));
    }

    private static BenchDocument Point(LoadResult result, RunSummary s, Prediction? prediction, string? server) => new()
    {
        LateShare = result.Schedule.LateShare.Value,
        AchievedRatePerSecond = result.Schedule.AchievedRate?.Value,
        TargetRatePerSecond = result.Schedule.TargetRate?.Value,
        ClientCpuShare = result.Client.CpuShare,
        ClientBottleneck = result.ClientBottleneck,
        ErrorsByClass = s.ByErrorClass,
        Honesty = [.. BenchHonesty.Checks(result, s).Select(c => new HonestyDocument(c.Name, c.Value, c.Shown, c.Note, c.Flagged))],
        Figures = [.. s.Figures().Select(f => new FigureDocument(f.Name, f.Value, f.Unit, f.Formula))],
        Prediction = prediction is null ? null : new PredictionDocument(server ?? "", [.. prediction.Metrics.Select(m => new PredictedMetricDocument(m.Name, m.Unit, m.Measured, m.Predicted, m.RelativeError))]),
    };
}

internal sealed record BenchDocument
{
    public string? Label { get; init; }
    public string? Kind { get; init; }
    public string? Records { get; init; }
    public string? Load { get; init; }
    public string? Workload { get; init; }
    public double LateShare { get; init; }
    public double? AchievedRatePerSecond { get; init; }
    public double? TargetRatePerSecond { get; init; }
    public double ClientCpuShare { get; init; }
    public bool ClientBottleneck { get; init; }
    public bool? OverSaturated { get; init; }
    public string? SaturationReason { get; init; }
    public bool? Best { get; init; }
    public IReadOnlyList<string>? Warnings { get; init; }
    public required IReadOnlyDictionary<string, int> ErrorsByClass { get; init; }
    public required IReadOnlyList<HonestyDocument> Honesty { get; init; }
    public required IReadOnlyList<FigureDocument> Figures { get; init; }
    public PredictionDocument? Prediction { get; init; }
}

internal sealed record SweepDocument
{
    public required string Records { get; init; }
    public required string Workload { get; init; }
    public required IReadOnlyList<BenchDocument> Points { get; init; }
    public string? BestPoint { get; init; }
    public required string BestWhy { get; init; }
    public string? StoppedEarly { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
}

internal sealed record HonestyDocument(string Name, double? Value, string Shown, string Note, bool Flagged);

internal sealed record PredictionDocument(string Server, IReadOnlyList<PredictedMetricDocument> Metrics);

internal sealed record PredictedMetricDocument(string Metric, string Unit, double? Measured, double? Predicted, double? RelativeError);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchDocument))]
[JsonSerializable(typeof(SweepDocument))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
