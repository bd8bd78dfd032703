namespace Tpd.Plan.Result;

/// <summary>What stops a replica from carrying more load within the SLOs.</summary>
public enum Bottleneck
{
    /// <summary>Decode steps stream weights and KV from HBM: bandwidth sets TPOT, so the batch cannot grow without breaking it.</summary>
    MemoryBandwidth,

    /// <summary>Tensor-core math sets the step time (large batches, long prompts).</summary>
    Compute,

    /// <summary>Tensor-parallel all-reduces take longer than the kernels.</summary>
    Communication,

    /// <summary>Fixed per-step engine overheads take longer than the kernels.</summary>
    Overhead,

    /// <summary>The KV cache is full: requests wait for blocks or are preempted, so the batch cannot grow.</summary>
    KvCapacity,

    /// <summary>Time to first token breaks first: prompts queue behind each other or take too long to prefill.</summary>
    Ttft,
}
