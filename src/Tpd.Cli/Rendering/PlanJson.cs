using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Plan.Result;

namespace Tpd.Cli.Rendering;

/// <summary>`tpd plan --json`: ranked configurations with units in their names, the Pareto front, pruned candidates.</summary>
internal static class PlanJson
{
    public static void Write(TextWriter writer, PlanResult result)
    {
        var doc = new PlanDocument
        {
            Model = result.Request.Model.Id,
            Demand = result.Request.Demand.ToString(),
            Preset = result.Request.Preset.Name,
            Complete = result.Complete,
            Candidates = result.Candidates,
            Evaluated = result.Evaluated,
            Ranked = result.Ranked.Select(Row).ToList(),
            ParetoFront = result.ParetoFront.Select(c => c.Candidate.Label).ToList(),
            Pruned = result.Pruned.Select(p => new PrunedRow(p.Candidate.Label, p.Reason.ToString(), p.Detail)).ToList(),
            WhyWinnerWins = result.WhyWinnerWins,
            PublishedChecks = PlanChecks.For(result, result.Ranked.Count).Select(PublishedCheckDocument.From).ToList(),
        };
        writer.WriteLine(JsonSerializer.Serialize(doc, PlanJsonContext.Default.PlanDocument));
    }

    public static PlanRow Row(PlannedConfiguration c) => new(
        c.Rank, c.Candidate.Label, c.Candidate.Gpu.Id, c.Candidate.Serving.TensorParallel, c.Candidate.Serving.Weights?.ToString() ?? "checkpoint",
        c.Candidate.Serving.Kv.ToString().ToLowerInvariant(), c.Replicas, c.Gpus, c.CapacityPerReplica, c.CapacityIsLowerBound, c.CapacityOutputRate.TokensPerSecond,
        c.FleetPrice.DollarsPerHour, c.QualityAdjustedFleetPrice.DollarsPerHour, c.CostPerMillionOutputTokens, c.CostPerUserMonth,
        c.TokensPerSecondPerUser, c.MedianTpot.Seconds, c.Headroom, c.Bottleneck.ToString(), c.RooflineBound.ToString().ToLowerInvariant());
}

internal sealed record PlanRow(
    int Rank, string Configuration, string Gpu, int TensorParallel, string Weights, string Kv, int Replicas, int Gpus,
    double CapacityPerReplica, bool CapacityIsLowerBound, double CapacityOutputTokensPerSecond, double DollarsPerHour, double QualityAdjustedDollarsPerHour,
    double DollarsPerMillionOutputTokens, double? DollarsPerUserMonth, double TokensPerSecondPerUser, double MedianTpotSeconds,
    double Headroom, string Bottleneck, string RooflineBound);

internal sealed record PrunedRow(string Configuration, string Reason, string Detail);

internal sealed record PlanDocument
{
    public required string Model { get; init; }
    public required string Demand { get; init; }
    public required string Preset { get; init; }
    public bool Complete { get; init; }
    public int Candidates { get; init; }
    public int Evaluated { get; init; }
    public required IReadOnlyList<PlanRow> Ranked { get; init; }
    public required IReadOnlyList<string> ParetoFront { get; init; }
    public required IReadOnlyList<PrunedRow> Pruned { get; init; }
    public required string WhyWinnerWins { get; init; }

    /// <summary>Each ranked GPU's published run and the model's prediction for it (GPUs without one are absent).</summary>
    public required IReadOnlyList<PublishedCheckDocument> PublishedChecks { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PlanDocument))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
