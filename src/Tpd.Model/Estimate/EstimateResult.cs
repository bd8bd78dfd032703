using Tpd.Core.Formats;
using Tpd.Core.Units;
using Tpd.Model.Memory;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Estimate;

/// <summary>Facts that explain a step time: where the roofline puts this setup.</summary>
public sealed record RooflineFacts(
    double ArithmeticIntensity,
    double MachineBalance,
    double EffectiveMachineBalance,
    int? CriticalBatchSize,
    Bound Bound,
    string Explanation);

/// <summary>
/// Money and energy for one replica at the estimated operating point. $/1M output tokens charges the whole
/// price to output tokens (MEASURE.md, comparable with bench); the split prices charge input and output
/// tokens by their share of step time, the way an API price list would.
/// </summary>
public sealed record CostFacts(
    string PriceSource,
    MoneyRate PerGpu,
    MoneyRate PerReplica,
    double DollarsPerMillionOutput,
    double DollarsPerMillionTotal,
    double SplitDollarsPerMillionInput,
    double SplitDollarsPerMillionOutput,
    Power Power,
    double OutputTokensPerJoule,
    double TotalTokensPerJoule,
    double DutyCycle,
    double UsersServed,
    int UsersPriced,
    double DollarsPerUserHour,
    double DollarsPerUserMonth);

/// <summary>A full estimate: memory, performance, roofline, cost and advice.</summary>
public sealed record EstimateResult
{
    public required EstimateRequest Request { get; init; }
    public required ModelProfile Profile { get; init; }
    public required MemoryBudget Memory { get; init; }
    public required ParameterCounts Parameters { get; init; }
    public required WeightFormat WeightFormat { get; init; }
    public required KvFormat KvFormat { get; init; }

    /// <summary>KV bytes per token for the whole model (all layers, one copy of each head).</summary>
    public required DataSize KvBytesPerToken { get; init; }

    /// <summary>KV bytes per token stored on each GPU of the replica (heads split by TP, replicated below one per GPU).</summary>
    public required DataSize KvBytesPerTokenPerGpu { get; init; }

    /// <summary>KV bytes one sequence holds at full context, whole replica.</summary>
    public required DataSize KvBytesPerSequence { get; init; }

    /// <summary>Sequences at full context the KV pool holds, capped by max_num_seqs; 0 when the model does not fit.</summary>
    public required long MaxConcurrentSequences { get; init; }

    public required long KvLimitedSequences { get; init; }
    public required int MaxNumSeqs { get; init; }

    /// <summary>The operating point; null when the model does not fit.</summary>
    public OperatingPoint? Point { get; init; }

    /// <summary>Batch-1 figures (a single request on an idle replica); null when it does not fit.</summary>
    public OperatingPoint? Single { get; init; }

    public RooflineFacts? Roofline { get; init; }
    public CostFacts? Cost { get; init; }
    public required IReadOnlyList<string> Advice { get; init; }

    public bool Fits => Memory.Fits && MaxConcurrentSequences > 0;
    public int Gpus => Request.Serving.GpusPerReplica;
}
