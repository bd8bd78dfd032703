using Tpd.Core.Units;
using Tpd.Model.Roofline;

namespace Tpd.Model.Serving;

/// <summary>
/// Where one GPU's memory goes (MODEL.md, Memory): capacity x gpu_memory_utilization, minus the weight shard,
/// the activation peak of a full token budget and the runtime reserve, leaves the KV pool.
/// </summary>
public readonly record struct MemoryBudget(
    DataSize Capacity,
    DataSize Budget,
    DataSize Weights,
    DataSize Activations,
    DataSize RuntimeReserve,
    DataSize KvPool,
    long KvBlocks,
    int BlockSize)
{
    /// <summary>Positive when the weights, activations and reserve alone exceed the budget.</summary>
    public DataSize Deficit => DataSize.Max(DataSize.Zero, Weights + Activations + RuntimeReserve - Budget);

    public bool Fits => Deficit == DataSize.Zero && KvBlocks > 0;

    /// <summary>Tokens of full-attention context the pool holds per GPU (whole blocks).</summary>
    public long KvTokens => KvBlocks * BlockSize;

    public static MemoryBudget For(ModelProfile p, DataSize? capacityOverride = null)
    {
        var ideal = p.Efficiency.IsIdeal;
        // The napkin math uses all of what the driver exposes; the realistic model gpu_memory_utilization of it.
        var capacity = capacityOverride ?? p.Gpu.UsableMemory;
        var utilization = ideal ? 1.0 : p.Serving.GpuMemoryUtilization;
        var budget = capacity * utilization;
        var weights = DataSize.FromBytes(p.WeightBytesPerGpu);
        var activations = p.Efficiency.ReserveActivations ? ActivationPeak(p) : DataSize.Zero;
        var reserve = p.Efficiency.RuntimeReserve;
        var pool = DataSize.Max(DataSize.Zero, budget - weights - activations - reserve);
        var blockBytes = p.KvBytesPerTokenPerGpu * p.Serving.BlockSize;
        var blocks = blockBytes > 0 ? (long)Math.Floor(pool.Bytes / blockBytes) : 0;
        return new MemoryBudget(capacity, budget, weights, activations, reserve, pool, blocks, p.Serving.BlockSize);
    }

    /// <summary>
    /// Peak activation memory of vLLM's profile run: a full token budget through one layer (residual, QKV and
    /// the MLP's gate/up outputs in 16-bit) plus fp32 logits of max_num_seqs sampled rows. An estimate within
    /// a few hundred MiB of what vLLM logs as "torch peak memory increase" for 8B-70B models.
    /// </summary>
    public static DataSize ActivationPeak(ModelProfile p)
    {
        var m = p.Model;
        var tp = p.Serving.TensorParallel;
        var tokens = (double)p.MaxBatchedTokens;
        var seqs = (double)p.MaxNumSeqs;
        var mlpWidth = m.Moe is { } moe
            ? Math.Max(m.IntermediateSize, moe.ExpertIntermediateSize * moe.ExpertsPerToken)
            : m.IntermediateSize;
        var perToken = (4.0 * m.HiddenSize + 2.0 * mlpWidth / tp + (m.NumAttentionHeads + 2.0 * m.NumKeyValueHeads) * m.HeadDim / tp) * 2;
        var logits = seqs * m.VocabSize / tp * 4.0;
        return DataSize.FromBytes(tokens * perToken + logits);
    }

    /// <summary>KV bytes one sequence holds per GPU at a context length, rounded up to whole blocks.</summary>
    public static DataSize BytesPerSequence(ModelProfile p, double contextTokens)
    {
        var bs = p.Serving.BlockSize;
        var blocks = Math.Ceiling(contextTokens / bs);
        var perGpu = p.Shape.Kv.BytesForContext(p.Serving.Kv, p.Serving.TensorParallel, blocks * bs).Bytes / p.Serving.PipelineParallel;
        return DataSize.FromBytes(perGpu);
    }

    /// <summary>Sequences of a given context the pool holds at once (KV-limited, before max_num_seqs).</summary>
    public long SequencesAt(ModelProfile p, double contextTokens)
    {
        var perSeq = BytesPerSequence(p, contextTokens).Bytes;
        return perSeq > 0 ? (long)Math.Floor(KvPool.Bytes / perSeq) : long.MaxValue;
    }
}
