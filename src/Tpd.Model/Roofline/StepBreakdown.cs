using Tpd.Core.Units;

namespace Tpd.Model.Roofline;

/// <summary>Which term sets a step's time.</summary>
public enum Bound
{
    /// <summary>Tensor-core math: FLOPs / (peak x MFU) sets most of the kernel time.</summary>
    Compute,

    /// <summary>HBM traffic (weights and KV): bytes / (bandwidth x MBU) sets most of the kernel time.</summary>
    Memory,

    /// <summary>Tensor-parallel all-reduces take longer than the kernels.</summary>
    Communication,

    /// <summary>Fixed per-step and per-sequence engine overheads take longer than the kernels.</summary>
    Overhead,
}

/// <summary>
/// A priced step with every term, per GPU of the replica. The linear layers (GEMMs that stream the weights)
/// and attention (which streams the KV cache) are separate kernels that run one after the other, so each gets
/// its own roofline and the two add: t = max(linear FLOPs / F, weight bytes / B) + max(attention FLOPs / F,
/// KV bytes / B) + communication + overheads.
/// </summary>
public readonly record struct StepBreakdown(
    FlopCount LinearFlops,
    FlopCount AttentionFlops,
    DataSize WeightBytes,
    DataSize KvBytes,
    Duration LinearComputeTime,
    Duration WeightReadTime,
    Duration AttentionComputeTime,
    Duration KvReadTime,
    Duration CommunicationTime,
    Duration OverheadTime)
{
    public FlopCount Flops => LinearFlops + AttentionFlops;
    public DataSize Bytes => WeightBytes + KvBytes;
    public Duration ComputeTime => LinearComputeTime + AttentionComputeTime;
    public Duration MemoryTime => WeightReadTime + KvReadTime;

    public Duration LinearTime => Duration.Max(LinearComputeTime, WeightReadTime);
    public Duration AttentionTime => Duration.Max(AttentionComputeTime, KvReadTime);
    public Duration KernelTime => LinearTime + AttentionTime;

    public Duration Total => KernelTime + CommunicationTime + OverheadTime;

    /// <summary>FLOPs per byte of HBM traffic in this step.</summary>
    public double ArithmeticIntensity => Bytes.Bytes > 0 ? Flops / Bytes : 0;

    /// <summary>Kernel time spent where compute is the binding term.</summary>
    public Duration ComputeBoundTime =>
        (LinearComputeTime > WeightReadTime ? LinearComputeTime : Duration.Zero) +
        (AttentionComputeTime > KvReadTime ? AttentionComputeTime : Duration.Zero);

    public Bound Bound
    {
        get
        {
            if (CommunicationTime > KernelTime && CommunicationTime >= OverheadTime)
                return Bound.Communication;
            if (OverheadTime > KernelTime)
                return Bound.Overhead;
            return ComputeBoundTime * 2 > KernelTime ? Bound.Compute : Bound.Memory;
        }
    }
}
