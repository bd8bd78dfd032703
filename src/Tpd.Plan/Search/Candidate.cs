using System.Globalization;
using Tpd.Core.Catalog;
using Tpd.Core.Units;
using Tpd.Model.Serving;

namespace Tpd.Plan.Search;

/// <summary>One serving setup the planner considers: a GPU type, its parallelism, data types and batch limit, and its price.</summary>
public sealed record Candidate(GpuSpec Gpu, ServingConfig Serving, MoneyRate PricePerGpu, double Quality)
{
    public int GpusPerReplica => Serving.GpusPerReplica;

    public MoneyRate ReplicaPrice => PricePerGpu * GpusPerReplica;

    /// <summary>Short, unique, stable name: "h100-sxm tp2 fp8 kv-fp8 seqs-default".</summary>
    public string Label => string.Create(
        CultureInfo.InvariantCulture,
        $"{Gpu.Id} tp{Serving.TensorParallel} {Serving.Weights} kv-{Serving.Kv.ToString().ToLowerInvariant()} seqs-{(Serving.MaxNumSeqs is { } s ? s.ToString(CultureInfo.InvariantCulture) : "default")}");

    public override string ToString() => Label;
}

/// <summary>A candidate dropped before or during the search, and why.</summary>
public sealed record PrunedCandidate(Candidate Candidate, PruneReason Reason, string Detail);

/// <summary>Why a candidate was dropped.</summary>
public enum PruneReason
{
    /// <summary>The GPU has no price in the requested tier.</summary>
    NoPrice,

    /// <summary>Weights, activations and runtime reserve exceed the memory budget (or leave no KV block).</summary>
    DoesNotFit,

    /// <summary>Even one sequence alone decodes slower than the TPOT objective.</summary>
    TpotAtBatchOne,

    /// <summary>Even one prompt alone takes longer than the TTFT objective.</summary>
    TtftAtBatchOne,

    /// <summary>The simulator found no load at which every objective holds (requests too long for the KV cache, or tails too slow).</summary>
    NoLoadMeetsSlo,
}
