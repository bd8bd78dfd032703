using Tpd.Core.Units;

namespace Tpd.Model.Serving;

/// <summary>
/// The named constants that turn datasheet peaks into achieved step times. Each default is justified
/// in docs/estimate.md from ../validation/dev-set.md-style published measurements; every one can be
/// overridden on the command line and fitted later from bench runs.
/// </summary>
public sealed record Efficiency
{
    /// <summary>
    /// Model FLOPs utilisation of the compute term. Vidur's H100 profiles of Llama-2-70B linear layers give
    /// 0.58 to 0.82 per GEMM at 4,096 tokens; end to end with attention, norms and sampling about 0.4 to 0.5
    /// (MODEL.md). Default 0.5; with it the dev-set saturated throughputs land within 16% (docs/estimate.md).
    /// </summary>
    public double Mfu { get; init; } = 0.5;

    /// <summary>
    /// Memory bandwidth utilisation of the memory term. Vidur's TP8 single-token linear layers imply 0.48 to
    /// 0.81; decode kernels reach 0.7 to 0.8 on H100 (MODEL.md). Default 0.75, the middle of that range, which
    /// puts all twelve TensorRT-LLM Llama-3.1-8B rows of the dev set within 16% (docs/estimate.md).
    /// </summary>
    public double Mbu { get; init; } = 0.75;

    /// <summary>Latency floor of one all-reduce: NCCL on 8 x H100 NVSwitch, 1 MiB takes 0.034 ms (dev-set, Vidur profiles).</summary>
    public Duration AllReduceLatency { get; init; } = Duration.FromMicroseconds(35);

    /// <summary>
    /// Bus bandwidth of a large all-reduce as a share of the per-direction link bandwidth: NCCL reaches about
    /// 365 GB/s bus bandwidth on H100 NVLink 4 (450 GB/s per direction), 0.81 (dev-set).
    /// </summary>
    public double AllReduceBusEfficiency { get; init; } = 0.81;

    /// <summary>
    /// Fixed cost per engine step outside the kernels: scheduling, input preparation, sampling, detokenisation.
    /// vLLM v1 with CUDA graphs measures 0.5 to 2 ms per step (MODEL.md: order 0.1 to a few ms). Default 1 ms.
    /// </summary>
    public Duration StepOverhead { get; init; } = Duration.FromMilliseconds(1);

    /// <summary>Per-sequence cost per step (sampling, output processing); about 5 us per sequence in vLLM v1 profiles.</summary>
    public Duration PerSequenceOverhead { get; init; } = Duration.FromMicroseconds(5);

    /// <summary>
    /// Memory outside the engine's budget accounting that the KV pool cannot use: CUDA context, cuBLAS/NCCL
    /// workspaces and CUDA graphs. vLLM logs show about 1 to 2 GiB per GPU on H100; default 1.5 GiB.
    /// </summary>
    public DataSize RuntimeReserve { get; init; } = DataSize.FromGiB(1.5);

    /// <summary>Include the forward-pass activation peak of a full token budget in the memory budget (vLLM's profile run).</summary>
    public bool ReserveActivations { get; init; } = true;

    /// <summary>Realistic defaults.</summary>
    public static Efficiency Default { get; } = new();

    /// <summary>
    /// The napkin-math mode: peak compute and bandwidth, no overheads, all of the usable memory, no runtime
    /// reserve, no communication cost. Reproduces ../seeds/napkin-math-inference-cost.txt.
    /// </summary>
    public static Efficiency Ideal { get; } = new()
    {
        Mfu = 1,
        Mbu = 1,
        AllReduceLatency = Duration.Zero,
        // Ideal links: all-reduces move at the full per-direction link bandwidth with no latency floor.
        AllReduceBusEfficiency = 1,
        StepOverhead = Duration.Zero,
        PerSequenceOverhead = Duration.Zero,
        RuntimeReserve = DataSize.Zero,
        ReserveActivations = false,
    };

    public bool IsIdeal => this == Ideal;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(Mfu > 0 && Mfu <= 1))
            errors.Add($"MFU {Mfu} is out of range; use a fraction in (0, 1], e.g. 0.5");
        if (!(Mbu > 0 && Mbu <= 1))
            errors.Add($"MBU {Mbu} is out of range; use a fraction in (0, 1], e.g. 0.7");
        if (!(AllReduceBusEfficiency > 0 && AllReduceBusEfficiency <= 1))
            errors.Add($"all-reduce bus efficiency {AllReduceBusEfficiency} is out of range; use a fraction in (0, 1]");
        if (AllReduceLatency < Duration.Zero || StepOverhead < Duration.Zero || PerSequenceOverhead < Duration.Zero)
            errors.Add("overheads cannot be negative");
        if (RuntimeReserve < DataSize.Zero)
            errors.Add($"runtime reserve {RuntimeReserve} cannot be negative");
        return errors;
    }
}
