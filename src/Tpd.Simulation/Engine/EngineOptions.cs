using Tpd.Model.Replicas;
using Tpd.Model.Serving;

namespace Tpd.Simulation.Engine;

/// <summary>
/// The scheduler and KV-cache settings of one engine replica, named as vLLM names them. Defaults mirror vLLM v1's
/// OpenAI-compatible server on a GPU with at least 70 GiB that is not an A100 (H100, H200, B200, MI300X); see
/// <see cref="VllmDefaults"/> for the sources and the values for smaller GPUs.
/// </summary>
public sealed record EngineOptions
{
    /// <summary>
    /// The engine of an assembled replica: its KV pool from the memory budget, its block size, and vLLM's scheduler
    /// limits for the GPU unless the setup names its own. The one mapping simulate, twin, plan and bench's prediction use.
    /// </summary>
    public static EngineOptions For(AssembledReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var p = replica.Profile;
        return new EngineOptions
        {
            KvBlocks = (int)Math.Min(replica.Memory.KvBlocks, int.MaxValue),
            BlockSize = p.Serving.BlockSize,
            MaxNumSeqs = p.MaxNumSeqs,
            MaxNumBatchedTokens = p.MaxBatchedTokens,
        };
    }

    /// <summary>KV cache capacity of the replica in blocks (the caller derives it from memory: pool bytes / (block size x KV bytes per token)).</summary>
    public required int KvBlocks { get; init; }

    /// <summary>Tokens per KV block (vLLM --block-size).</summary>
    public int BlockSize { get; init; } = VllmDefaults.BlockSize;

    /// <summary>Token budget of one step (vLLM --max-num-batched-tokens).</summary>
    public int MaxNumBatchedTokens { get; init; } = VllmDefaults.MaxNumBatchedTokensLargeGpu;

    /// <summary>Most sequences running at once (vLLM --max-num-seqs).</summary>
    public int MaxNumSeqs { get; init; } = VllmDefaults.MaxNumSeqsLargeGpu;

    /// <summary>Share of KV blocks that admission of a new request must leave free (vLLM v0 block manager watermark).</summary>
    public double Watermark { get; init; } = VllmDefaults.Watermark;

    /// <summary>Prefix caching by block hash (vLLM --enable-prefix-caching; on by default in v1).</summary>
    public bool EnablePrefixCaching { get; init; } = true;

    /// <summary>Longest prompt + output a request may have (vLLM --max-model-len); null: whatever fits in the KV cache.</summary>
    public int? MaxModelLen { get; init; }

    /// <summary>Every invalid setting at once, each quoting the bad value, what is allowed and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (KvBlocks < 1)
            errors.Add($"kv blocks is {KvBlocks}; it must be at least 1: give the KV pool size in blocks (pool bytes / (block size x KV bytes per token)).");
        if (BlockSize < 1)
            errors.Add($"block size is {BlockSize}; it must be at least 1 (vLLM uses 16).");
        if (MaxNumSeqs < 1)
            errors.Add($"max_num_seqs is {MaxNumSeqs}; it must be at least 1 (vLLM default {VllmDefaults.MaxNumSeqsLargeGpu} on large GPUs).");
        if (MaxNumBatchedTokens < MaxNumSeqs)
            errors.Add($"max_num_batched_tokens ({MaxNumBatchedTokens}) is below max_num_seqs ({MaxNumSeqs}); vLLM rejects this too: raise the token budget or lower max_num_seqs.");
        if (!(Watermark >= 0 && Watermark < 1))
            errors.Add($"watermark is {Watermark}; it must be in [0, 1) (vLLM uses {VllmDefaults.Watermark}).");
        if (MaxModelLen is < 2)
            errors.Add($"max_model_len is {MaxModelLen}; it must be at least 2 tokens, or left unset.");
        return errors;
    }

    /// <summary>Throws one exception listing every error from <see cref="Validate"/>.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid engine options:\n  " + string.Join("\n  ", errors));
    }
}
