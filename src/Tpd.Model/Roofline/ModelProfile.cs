using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Memory;
using Tpd.Model.Serving;

namespace Tpd.Model.Roofline;

/// <summary>
/// Everything the roofline needs about one model on one GPU type with one serving config, reduced to
/// per-GPU scalars once, so that pricing a step is a handful of multiplies (the planner prices millions).
/// Replicas are assembled from profiles in one place, <see cref="Replicas.ReplicaBuilder"/>.
/// </summary>
public sealed class ModelProfile
{
    /// <summary>A profile of a model counted here; a <see cref="Replicas.ReplicaBuilder"/> shares one count among many.</summary>
    public ModelProfile(ModelArchitecture model, GpuSpec gpu, ServingConfig serving, Efficiency efficiency)
        : this(ModelShape.Of(model), gpu, serving, efficiency)
    {
    }

    public ModelProfile(ModelShape shape, GpuSpec gpu, ServingConfig serving, Efficiency efficiency)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(efficiency);
        var model = shape.Architecture;
        Shape = shape;
        Gpu = gpu;
        Serving = serving;
        Efficiency = efficiency;
        MaxNumSeqs = serving.MaxNumSeqs ?? VllmDefaults.MaxNumSeqs(gpu);
        MaxBatchedTokens = serving.MaxBatchedTokens ?? VllmDefaults.MaxBatchedTokens(gpu);

        WeightFormat = serving.Weights ?? model.Quantization?.Format ?? Core.Formats.WeightFormat.Bf16;
        Weights = WeightMemory.Compute(model, Parameters, serving.Weights);
        (ComputeType, Peak) = gpu.PeakFor(WeightFormat.PreferredCompute);

        int tp = serving.TensorParallel, pp = serving.PipelineParallel, shards = tp * pp;
        // Per-GPU figures: TP splits every layer, PP splits the layers; a step walks all stages in turn.
        KvBytesPerTokenPerGpu = shape.Kv.BytesPerToken(serving.Kv, tp).Bytes / pp;
        WeightBytesPerGpu = Weights.Total.Bytes / shards;
        NonExpertReadPerGpu = (Weights.NonExpert.Bytes + (model.TieWordEmbeddings ? Weights.Embedding.Bytes : 0)) / shards;
        ExpertBytesPerGpu = Weights.PerExpert.Bytes / shards;
        MatmulFlopsPerToken = 2 * Parameters.ActiveMatmul / shards;

        // Attention score and value FLOPs per (query token x attended token), per GPU: 2 x heads x (qk_dim + v_dim)
        // per layer (QK^T and PV, multiply-add = 2 FLOPs). MLA scores on qk_nope + qk_rope and values on v_head_dim.
        var qk = model.Mla?.QkHeadDim ?? model.HeadDim;
        var v = model.Mla?.VHeadDim ?? model.HeadDim;
        AttentionFlopsPerPair = 2.0 * model.NumAttentionHeads * (qk + v) * model.NumLayers / shards;
        SlidingShare = model.NumLayers == 0 ? 0 : (double)model.SlidingLayerCount / model.NumLayers;
        Window = model.SlidingWindow ?? int.MaxValue;

        // Two all-reduces per layer of tokens x hidden activations in 16-bit (Megatron-style TP).
        AllReduceBytesPerToken = tp > 1 ? 2.0 * model.HiddenSize : 0;
        AllReducesPerStep = tp > 1 ? 2 * model.NumLayers : 0;
        var busBandwidth = gpu.ScaleUpBandwidth.BytesPerSecond * efficiency.AllReduceBusEfficiency;
        // Ring all-reduce moves 2(n-1)/n of the message per GPU at bus bandwidth (NCCL's busbw definition).
        AllReduceSecondsPerByte = tp > 1 ? 2.0 * (tp - 1) / tp / busBandwidth : 0;

        if (model.Moe is { } moe && Parameters.MoeLayers > 0)
        {
            MoeLayers = Parameters.MoeLayers;
            Experts = moe.NumExperts;
            // ln(1 - k/E), so that (1 - k/E)^T = exp(T x this) costs one Exp per step instead of a Pow.
            LogMissProbability = Math.Log(1 - (double)moe.ExpertsPerToken / moe.NumExperts);
        }

        EffectiveFlopRate = Peak.FlopsPerSecond * efficiency.Mfu;
        EffectiveBandwidth = gpu.MemoryBandwidth.BytesPerSecond * efficiency.Mbu;
    }

    /// <summary>The model's derived shape, shared by every profile of it that one builder makes.</summary>
    public ModelShape Shape { get; }
    public ModelArchitecture Model => Shape.Architecture;
    public GpuSpec Gpu { get; }
    public ServingConfig Serving { get; }
    public Efficiency Efficiency { get; }
    public ParameterCounts Parameters => Shape.Parameters;

    /// <summary>max_num_seqs of this setup: the serving config's, else vLLM's default for the GPU (<see cref="VllmDefaults"/>).</summary>
    public int MaxNumSeqs { get; }

    /// <summary>max_num_batched_tokens of this setup: the serving config's, else vLLM's default for the GPU.</summary>
    public int MaxBatchedTokens { get; }

    public WeightBytes Weights { get; }
    public WeightFormat WeightFormat { get; }

    /// <summary>Tensor-core precision the matmuls run at on this GPU, and its dense peak.</summary>
    public ComputeType ComputeType { get; }
    public FlopRate Peak { get; }

    internal double KvBytesPerTokenPerGpu { get; }
    internal double WeightBytesPerGpu { get; }
    internal double NonExpertReadPerGpu { get; }
    internal double ExpertBytesPerGpu { get; }
    internal double MatmulFlopsPerToken { get; }
    internal double AttentionFlopsPerPair { get; }
    internal double SlidingShare { get; }
    internal int Window { get; }
    internal double AllReduceBytesPerToken { get; }
    internal int AllReducesPerStep { get; }
    internal double AllReduceSecondsPerByte { get; }
    internal int MoeLayers { get; }
    internal double Experts { get; }
    internal double LogMissProbability { get; }
    internal double EffectiveFlopRate { get; }
    internal double EffectiveBandwidth { get; }

    public DataSize KvBytesPerToken => DataSize.FromBytes(KvBytesPerTokenPerGpu);
}
