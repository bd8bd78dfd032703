using Tpd.Core.Formats;
using Tpd.Core.Models;

namespace Tpd.Model.Serving;

/// <summary>
/// How one replica is served: parallelism, data types and the engine's batching limits.
/// Defaults follow vLLM v1 (0.10/0.11) on a data-centre GPU; see docs/estimate.md.
/// </summary>
public sealed record ServingConfig
{
    /// <summary>Tensor-parallel degree (GPUs sharing every layer).</summary>
    public int TensorParallel { get; init; } = 1;

    /// <summary>Pipeline-parallel degree (stages holding consecutive layers).</summary>
    public int PipelineParallel { get; init; } = 1;

    /// <summary>Weight format; null serves the checkpoint as published (its quantization_config, else bf16).</summary>
    public WeightFormat? Weights { get; init; }

    /// <summary>KV-cache data type. vLLM's default "auto" is the model dtype (bf16).</summary>
    public KvFormat Kv { get; init; } = KvFormat.Bf16;

    /// <summary>Share of GPU memory the engine may use. vLLM default 0.9 (--gpu-memory-utilization).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.90;

    /// <summary>Tokens per KV block. vLLM default 16 (--block-size).</summary>
    public int BlockSize { get; init; } = VllmDefaults.BlockSize;

    /// <summary>Most sequences in one step. vLLM v1 picks 1024 on GPUs with 70+ GiB other than A100, 256 elsewhere (<see cref="VllmDefaults"/>).</summary>
    public int? MaxNumSeqs { get; init; }

    /// <summary>Token budget of one step (chunked prefill). vLLM v1 picks 8192 for the API server on 70+ GiB GPUs other than A100, 2048 elsewhere (<see cref="VllmDefaults"/>).</summary>
    public int? MaxBatchedTokens { get; init; }

    public int GpusPerReplica => TensorParallel * PipelineParallel;

    /// <summary>Every problem with the config at once, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (TensorParallel is < 1 or > 1024)
            errors.Add($"tensor parallel degree {TensorParallel} is out of range; use 1 to 1024 (usually 1, 2, 4 or 8)");
        if (PipelineParallel is < 1 or > 256)
            errors.Add($"pipeline parallel degree {PipelineParallel} is out of range; use 1 to 256");
        if (!(GpuMemoryUtilization > 0 && GpuMemoryUtilization <= 1))
            errors.Add($"gpu memory utilization {GpuMemoryUtilization} is out of range; use a fraction in (0, 1], e.g. 0.9");
        if (BlockSize is < 1 or > 1024)
            errors.Add($"block size {BlockSize} is out of range; use 1 to 1024 tokens (vLLM default 16)");
        if (MaxNumSeqs is < 1)
            errors.Add($"max sequences {MaxNumSeqs} must be at least 1");
        if (MaxBatchedTokens is < 1)
            errors.Add($"max batched tokens {MaxBatchedTokens} must be at least 1");
        return errors;
    }

    /// <summary>
    /// Every way this parallelism fails to split <paramref name="model"/> as vLLM needs, each with the fix; empty when
    /// it splits. Query heads must divide over TP; KV heads must divide or replicate evenly (MLA's latent is whole on
    /// every rank, so it has no KV-head constraint); a pipeline stage needs at least one layer.
    /// </summary>
    public IReadOnlyList<string> SplitErrors(ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var errors = new List<string>();
        var tp = TensorParallel;
        if (tp > 1 && model.Mla is null && model.NumKeyValueHeads % tp != 0 && tp % model.NumKeyValueHeads != 0)
            errors.Add($"tensor parallel {tp} does not divide the {model.NumKeyValueHeads} KV heads of {model.Name} (nor they it); use a TP that divides or is a multiple of {model.NumKeyValueHeads}");
        if (tp > 1 && model.NumAttentionHeads % tp != 0)
            errors.Add($"tensor parallel {tp} does not divide the {model.NumAttentionHeads} attention heads of {model.Name}; use one of {string.Join(", ", Divisors(model.NumAttentionHeads).Where(d => d <= 64))}");
        if (PipelineParallel > model.NumLayers)
            errors.Add($"pipeline parallel {PipelineParallel} exceeds the {model.NumLayers} layers of {model.Name}");
        return errors;
    }

    private static IEnumerable<int> Divisors(int n) => Enumerable.Range(1, n).Where(d => n % d == 0);
}
