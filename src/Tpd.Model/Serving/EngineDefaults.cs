using Tpd.Core.Catalog;
using Tpd.Core.Units;

namespace Tpd.Model.Serving;

/// <summary>
/// vLLM v1's batching defaults for the OpenAI API server (vllm/engine/arg_utils.py, _set_default_args):
/// GPUs with at least 70 GiB get max_num_seqs 1024 and max_num_batched_tokens 8192; smaller GPUs 256 and 2048.
/// </summary>
public static class EngineDefaults
{
    private static readonly DataSize LargeGpu = DataSize.FromGiB(70);

    public static int MaxNumSeqs(GpuSpec gpu) => gpu.UsableMemory >= LargeGpu ? 1024 : 256;

    public static int MaxBatchedTokens(GpuSpec gpu) => gpu.UsableMemory >= LargeGpu ? 8192 : 2048;
}
