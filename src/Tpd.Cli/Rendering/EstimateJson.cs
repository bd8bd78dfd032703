using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Core.Formats;
using Tpd.Model.Estimate;
using Tpd.Model.Validation;

namespace Tpd.Cli.Rendering;

/// <summary>The `--json` form of an estimate: snake_case fields whose names carry their units.</summary>
internal static class EstimateJson
{
    public static void Write(TextWriter writer, EstimateResult r, PublishedCheck? check = null)
    {
        writer.WriteLine(JsonSerializer.Serialize(From(r) with { PublishedCheck = check is null ? null : PublishedCheckDocument.From(check) }, EstimateJsonContext.Default.EstimateDocument));
    }

    public static EstimateDocument From(EstimateResult r)
    {
        var req = r.Request;
        var m = r.Memory;
        var pt = r.Point;
        var one = r.Single;
        var c = r.Cost;
        var s = pt?.Step;
        return new EstimateDocument
        {
            Model = req.Model.Id,
            ModelName = req.Model.Name,
            Gpu = req.Gpu.Id,
            GpuName = req.Gpu.Name,
            TensorParallel = req.Serving.TensorParallel,
            PipelineParallel = req.Serving.PipelineParallel,
            GpusPerReplica = r.Gpus,
            WeightFormat = r.WeightFormat.ToString(),
            KvFormat = r.KvFormat.Name(),
            Ideal = req.Efficiency.IsIdeal,
            InputTokens = req.Workload.InputTokens,
            OutputTokens = req.Workload.OutputTokens,
            ContextTokens = (long)req.Workload.FullContext,
            ParamsTotal = r.Parameters.Total,
            ParamsActive = r.Parameters.Active,
            WeightBytes = r.Profile.Weights.Total.Bytes,
            WeightBytesPerGpu = m.Weights.Bytes,
            WeightBitsPerParameter = r.Profile.Weights.BitsPerParameter,
            KvBytesPerToken = r.KvBytesPerToken.Bytes,
            KvBytesPerTokenPerGpu = r.KvBytesPerTokenPerGpu.Bytes,
            KvBytesPerSequence = r.KvBytesPerSequence.Bytes,
            GpuMemoryBytes = m.Capacity.Bytes,
            MemoryBudgetBytesPerGpu = m.Budget.Bytes,
            ActivationBytesPerGpu = m.Activations.Bytes,
            RuntimeReserveBytesPerGpu = m.RuntimeReserve.Bytes,
            KvPoolBytes = m.KvPool.Bytes * r.Gpus,
            KvPoolBytesPerGpu = m.KvPool.Bytes,
            KvPoolTokensPerGpu = m.KvTokens,
            Fits = r.Fits,
            MemoryDeficitBytesPerGpu = m.Deficit.Bytes,
            MaxConcurrentSequences = r.MaxConcurrentSequences,
            KvLimitedSequences = r.KvLimitedSequences,
            MaxNumSeqs = r.MaxNumSeqs == int.MaxValue ? null : r.MaxNumSeqs,
            Batch = pt?.Batch,
            PrefillSeconds = pt?.PrefillAlone.Seconds,
            DecodeStepSeconds = pt?.DecodeOnlyStep.Seconds,
            TtftSeconds = pt?.Ttft.Seconds,
            TpotSeconds = pt?.Tpot.Seconds,
            E2eSeconds = pt?.E2e(req.Workload.OutputTokens).Seconds,
            OutputTokensPerSecond = pt?.OutputRate.TokensPerSecond,
            InputTokensPerSecond = pt?.InputRate.TokensPerSecond,
            TotalTokensPerSecond = pt?.TotalRate.TokensPerSecond,
            OutputTokensPerSecondPerGpu = pt?.OutputRate.TokensPerSecond / r.Gpus,
            TokensPerSecondPerUser = pt?.PerUserTokensPerSecond,
            SingleRequestTtftSeconds = one?.Ttft.Seconds,
            SingleRequestTpotSeconds = one?.Tpot.Seconds,
            SingleRequestTokensPerSecond = one?.PerUserTokensPerSecond,
            StepFlopsPerGpu = s?.Flops.Flops,
            StepBytesPerGpu = s?.Bytes.Bytes,
            StepLinearComputeSeconds = s?.LinearComputeTime.Seconds,
            StepWeightReadSeconds = s?.WeightReadTime.Seconds,
            StepAttentionComputeSeconds = s?.AttentionComputeTime.Seconds,
            StepKvReadSeconds = s?.KvReadTime.Seconds,
            StepCommunicationSeconds = s?.CommunicationTime.Seconds,
            StepOverheadSeconds = s?.OverheadTime.Seconds,
            ArithmeticIntensityFlopsPerByte = r.Roofline?.ArithmeticIntensity,
            MachineBalanceFlopsPerByte = r.Roofline?.MachineBalance,
            CriticalBatchSize = r.Roofline?.CriticalBatchSize,
            Bound = r.Roofline?.Bound.ToString().ToLowerInvariant(),
            BoundExplanation = r.Roofline?.Explanation,
            PriceSource = c?.PriceSource,
            DollarsPerGpuHour = c?.PerGpu.DollarsPerHour,
            DollarsPerHour = c?.PerReplica.DollarsPerHour,
            DollarsPerMillionOutputTokens = c?.DollarsPerMillionOutput,
            DollarsPerMillionTotalTokens = c?.DollarsPerMillionTotal,
            DollarsPerMillionInputTokensSplit = Finite(c?.SplitDollarsPerMillionInput),
            DollarsPerMillionOutputTokensSplit = Finite(c?.SplitDollarsPerMillionOutput),
            Watts = c?.Power.Watts,
            TokensPerJoule = c?.OutputTokensPerJoule,
            TotalTokensPerJoule = c?.TotalTokensPerJoule,
            DutyCycle = req.Workload.DutyCycle,
            UsersServed = c?.UsersServed,
            UsersPriced = c?.UsersPriced,
            DollarsPerUserHour = c?.DollarsPerUserHour,
            DollarsPerUserMonth = c?.DollarsPerUserMonth,
            Advice = r.Advice,
        };
    }

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;
}

/// <summary>Wire shape of an estimate. Units are in the names; null where the model does not fit.</summary>
public sealed record EstimateDocument
{
    public required string Model { get; init; }
    public required string ModelName { get; init; }
    public required string Gpu { get; init; }
    public required string GpuName { get; init; }
    public int TensorParallel { get; init; }
    public int PipelineParallel { get; init; }
    public int GpusPerReplica { get; init; }
    public required string WeightFormat { get; init; }
    public required string KvFormat { get; init; }
    public bool Ideal { get; init; }
    public int InputTokens { get; init; }
    public int OutputTokens { get; init; }
    public long ContextTokens { get; init; }
    public double ParamsTotal { get; init; }
    public double ParamsActive { get; init; }
    public double WeightBytes { get; init; }
    public double WeightBytesPerGpu { get; init; }
    public double WeightBitsPerParameter { get; init; }
    public double KvBytesPerToken { get; init; }
    public double KvBytesPerTokenPerGpu { get; init; }
    public double KvBytesPerSequence { get; init; }
    public double GpuMemoryBytes { get; init; }
    public double MemoryBudgetBytesPerGpu { get; init; }
    public double ActivationBytesPerGpu { get; init; }
    public double RuntimeReserveBytesPerGpu { get; init; }
    public double KvPoolBytes { get; init; }
    public double KvPoolBytesPerGpu { get; init; }
    public long KvPoolTokensPerGpu { get; init; }
    public bool Fits { get; init; }
    public double MemoryDeficitBytesPerGpu { get; init; }
    public long MaxConcurrentSequences { get; init; }
    public long KvLimitedSequences { get; init; }
    public int? MaxNumSeqs { get; init; }
    public int? Batch { get; init; }
    public double? PrefillSeconds { get; init; }
    public double? DecodeStepSeconds { get; init; }
    public double? TtftSeconds { get; init; }
    public double? TpotSeconds { get; init; }
    public double? E2eSeconds { get; init; }
    public double? OutputTokensPerSecond { get; init; }
    public double? InputTokensPerSecond { get; init; }
    public double? TotalTokensPerSecond { get; init; }
    public double? OutputTokensPerSecondPerGpu { get; init; }
    public double? TokensPerSecondPerUser { get; init; }
    public double? SingleRequestTtftSeconds { get; init; }
    public double? SingleRequestTpotSeconds { get; init; }
    public double? SingleRequestTokensPerSecond { get; init; }
    public double? StepFlopsPerGpu { get; init; }
    public double? StepBytesPerGpu { get; init; }
    public double? StepLinearComputeSeconds { get; init; }
    public double? StepWeightReadSeconds { get; init; }
    public double? StepAttentionComputeSeconds { get; init; }
    public double? StepKvReadSeconds { get; init; }
    public double? StepCommunicationSeconds { get; init; }
    public double? StepOverheadSeconds { get; init; }
    public double? ArithmeticIntensityFlopsPerByte { get; init; }
    public double? MachineBalanceFlopsPerByte { get; init; }
    public int? CriticalBatchSize { get; init; }
    public string? Bound { get; init; }
    public string? BoundExplanation { get; init; }
    public string? PriceSource { get; init; }
    public double? DollarsPerGpuHour { get; init; }
    public double? DollarsPerHour { get; init; }
    public double? DollarsPerMillionOutputTokens { get; init; }
    public double? DollarsPerMillionTotalTokens { get; init; }
    public double? DollarsPerMillionInputTokensSplit { get; init; }
    public double? DollarsPerMillionOutputTokensSplit { get; init; }
    public double? Watts { get; init; }
    public double? TokensPerJoule { get; init; }
    public double? TotalTokensPerJoule { get; init; }
    public double DutyCycle { get; init; }
    public double? UsersServed { get; init; }
    public int? UsersPriced { get; init; }
    public double? DollarsPerUserHour { get; init; }
    public double? DollarsPerUserMonth { get; init; }
    public required IReadOnlyList<string> Advice { get; init; }

    /// <summary>This GPU's published run and the model's prediction for it; null when none is published.</summary>
    public PublishedCheckDocument? PublishedCheck { get; init; }
}

/// <summary>Wire shape of a <see cref="Tpd.Model.Validation.PublishedCheck"/>.</summary>
public sealed record PublishedCheckDocument(
    string Gpu, string Benchmark, string Model, string Engine, int Gpus, double MeasuredOutputTokensPerSecondPerGpu, double PredictedOutputTokensPerSecondPerGpu,
    int TensorParallel, double PredictedOverMeasured, bool OutsideTolerance)
{
    public static PublishedCheckDocument From(PublishedCheck c) => new(
        c.Run.GpuId, c.Run.Benchmark, c.Run.ModelId, c.Run.Engine, c.Run.Gpus, c.Run.OutputTokensPerSecondPerGpu, c.PredictedPerGpu, c.TensorParallel, c.Ratio, c.OutsideTolerance);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EstimateDocument))]
internal sealed partial class EstimateJsonContext : JsonSerializerContext;
