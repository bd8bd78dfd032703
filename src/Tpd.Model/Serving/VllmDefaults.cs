using Tpd.Core.Catalog;
using Tpd.Core.Units;

namespace Tpd.Model.Serving;

/// <summary>
/// vLLM's scheduler and cache defaults, with where each comes from. Checked against vLLM's source
/// (vllm/engine/arg_utils.py, vllm/config.py, vllm/core/block_manager.py), versions 0.8 to 0.11.
/// </summary>
public static class VllmDefaults
{
    /// <summary>
    /// KV block size in tokens: CacheConfig.block_size defaults to 16 on CUDA (vllm/config.py; "--block-size",
    /// choices 8/16/32/64/128).
    /// </summary>
    public const int BlockSize = 16;

    /// <summary>
    /// Token budget per step for the OpenAI API server on a GPU with at least 70 GiB that is not an A100:
    /// EngineArgs._set_default_args (vllm/engine/arg_utils.py) picks 8192 when
    /// <c>device_memory &gt;= 70 * GiB_bytes and "a100" not in device_name</c> (16384 for the offline LLM class).
    /// </summary>
    public const int MaxNumBatchedTokensLargeGpu = 8192;

    /// <summary>Same place, other GPUs (A100, L40S, consumer cards): 2048 for the API server (8192 offline).</summary>
    public const int MaxNumBatchedTokensSmallGpu = 2048;

    /// <summary>Same place: max_num_seqs is 1024 on large GPUs (API server and offline).</summary>
    public const int MaxNumSeqsLargeGpu = 1024;

    /// <summary>Same place: 256 on other GPUs. This is the figure most guides quote as "the" default.</summary>
    public const int MaxNumSeqsSmallGpu = 256;

    /// <summary>
    /// Free-block share kept back when admitting a new sequence: BlockSpaceManager(watermark=0.01) in vLLM v0
    /// (vllm/core/block_manager.py), to avoid admitting a request that would be preempted at once. vLLM v1's
    /// KVCacheManager has no watermark (it admits while blocks are free); keep 0.01 for v0 behaviour or set 0 for v1.
    /// </summary>
    public const double Watermark = 0.01;

    private static readonly DataSize LargeGpu = DataSize.FromGiB(70);

    /// <summary>Whether vLLM picks its large-GPU defaults: at least 70 GiB and not an A100.</summary>
    public static bool IsLargeGpu(GpuSpec gpu) =>
        gpu.UsableMemory >= LargeGpu && !gpu.Id.Contains("a100", StringComparison.OrdinalIgnoreCase);

    /// <summary>max_num_seqs vLLM picks for this GPU (OpenAI API server).</summary>
    public static int MaxNumSeqs(GpuSpec gpu) => IsLargeGpu(gpu) ? MaxNumSeqsLargeGpu : MaxNumSeqsSmallGpu;

    /// <summary>max_num_batched_tokens vLLM picks for this GPU (OpenAI API server).</summary>
    public static int MaxBatchedTokens(GpuSpec gpu) => IsLargeGpu(gpu) ? MaxNumBatchedTokensLargeGpu : MaxNumBatchedTokensSmallGpu;
}
