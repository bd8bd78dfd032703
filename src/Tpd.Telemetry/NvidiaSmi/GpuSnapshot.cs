using Tpd.Core.Units;

namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// One GPU at one instant, from nvidia-smi XML or NVML. Every field is nullable: drivers and boards differ
/// in what they report, and "N/A", "Not Supported" and "deprecated" all become null rather than zero.
/// Temperatures are in degrees Celsius and clocks in MHz (the unit is in the member name; Tpd.Core has no
/// temperature or frequency type).
/// </summary>
public sealed record GpuSnapshot
{
    /// <summary>Position in the source (0-based), used to name the GPU in findings and for `nvidia-smi -i`.</summary>
    public int Index { get; init; }

    public string? Name { get; init; }
    public string? Uuid { get; init; }
    public string? PciBusId { get; init; }

    /// <summary>Micro-architecture as the driver names it ("Ampere", "Hopper", "Blackwell"); absent before R450.</summary>
    public string? Architecture { get; init; }

    /// <summary>CUDA compute capability ("9.0") when the source reports it (NVML does; nvidia-smi -q -x does not).</summary>
    public string? ComputeCapability { get; init; }

    public string? DriverVersion { get; init; }

    /// <summary>Highest CUDA version the driver supports (nvidia-smi's "CUDA Version").</summary>
    public string? CudaVersion { get; init; }

    public bool? PersistenceMode { get; init; }
    public bool? MigEnabled { get; init; }

    /// <summary>"P0" (maximum performance) to "P12" (minimum).</summary>
    public string? PerformanceState { get; init; }

    public PowerReadings Power { get; init; } = new();
    public Temperatures Temperature { get; init; } = new();
    public ClockEventState? ClockEvents { get; init; }
    public ClockEventCounters? ClockEventCounters { get; init; }
    public ClockReadings Clocks { get; init; } = new();

    public double? GpuUtilizationPercent { get; init; }
    public double? MemoryUtilizationPercent { get; init; }
    public DataSize? MemoryUsed { get; init; }
    public DataSize? MemoryTotal { get; init; }

    public EccState Ecc { get; init; } = new();
    public RetiredPages RetiredPages { get; init; } = new();
    public RemappedRows RemappedRows { get; init; } = new();
    public PcieLink Pcie { get; init; } = new();

    /// <summary>
    /// Readings the source reported that cannot be true (out of range, in another unit, not a number); each is
    /// left out of the fields above. Empty for a sound sample.
    /// </summary>
    public IReadOnlyList<InvalidReading> InvalidReadings { get; init; } = [];

    /// <summary>"GPU 0 (NVIDIA A100-SXM4-80GB, 00000000:01:00.0)": how findings name this GPU.</summary>
    public string Label => $"GPU {Index} ({Name ?? "unknown"}{(PciBusId is null ? "" : ", " + PciBusId)})";
}

/// <summary>Board power. <see cref="Limit"/> is what the user set (power_limit / current_power_limit);
/// <see cref="EnforcedLimit"/> is what the driver applies (the lower of user, thermal and board limits).</summary>
public sealed record PowerReadings
{
    /// <summary>power_draw, or average_power_draw on R570+ (falls back to instant_power_draw when the average is N/A).</summary>
    public Power? Draw { get; init; }

    public Power? InstantDraw { get; init; }
    public Power? Limit { get; init; }
    public Power? RequestedLimit { get; init; }
    public Power? DefaultLimit { get; init; }
    public Power? EnforcedLimit { get; init; }
    public Power? MinLimit { get; init; }
    public Power? MaxLimit { get; init; }

    /// <summary>The limit in force: enforced when reported, else the current limit.</summary>
    public Power? EffectiveLimit => EnforcedLimit ?? Limit;
}

/// <summary>
/// Temperatures in degrees Celsius. Newer boards (Ada, R570+) report thresholds relative to T.Limit instead:
/// <see cref="TLimitCelsius"/> is the current margin below the limit and the *TLimit thresholds are margins
/// (slowdown at -2 C means two degrees past the limit), so headroom = TLimit - SlowdownTLimit.
/// </summary>
public sealed record Temperatures
{
    public double? GpuCelsius { get; init; }

    /// <summary>gpu_temp_slow_threshold: hardware slowdown starts here.</summary>
    public double? SlowdownCelsius { get; init; }

    /// <summary>gpu_temp_max_threshold: the GPU shuts down here.</summary>
    public double? ShutdownCelsius { get; init; }

    /// <summary>gpu_temp_max_gpu_threshold: maximum operating temperature.</summary>
    public double? MaxOperatingCelsius { get; init; }

    public double? TargetCelsius { get; init; }
    public double? MemoryCelsius { get; init; }
    public double? MemoryMaxCelsius { get; init; }
    public double? TLimitCelsius { get; init; }
    public double? SlowdownTLimitCelsius { get; init; }
    public double? ShutdownTLimitCelsius { get; init; }
    public double? MaxOperatingTLimitCelsius { get; init; }

    /// <summary>Degrees left before slowdown: from absolute thresholds, else from the T.Limit margins.</summary>
    public double? SlowdownHeadroomCelsius =>
        GpuCelsius is { } t && SlowdownCelsius is { } s ? s - t
        : TLimitCelsius is { } m && SlowdownTLimitCelsius is { } sm ? m - sm
        : null;
}

/// <summary>Current and maximum clocks in MHz.</summary>
public sealed record ClockReadings
{
    public double? GraphicsMhz { get; init; }
    public double? SmMhz { get; init; }
    public double? MemoryMhz { get; init; }
    public double? MaxGraphicsMhz { get; init; }
    public double? MaxSmMhz { get; init; }
    public double? MaxMemoryMhz { get; init; }

    /// <summary>Current SM clock over its maximum (1 = full speed).</summary>
    public double? SmFraction => SmMhz is { } c && MaxSmMhz is { } m && m > 0 ? c / m : null;
}

/// <summary>ECC mode and error counts. Counts add SRAM and DRAM (or single-/double-bit totals on pre-R535 schemas).</summary>
public sealed record EccState
{
    public bool? CurrentEnabled { get; init; }
    public bool? PendingEnabled { get; init; }
    public EccCounts Volatile { get; init; } = new();
    public EccCounts Aggregate { get; init; } = new();
}

/// <summary>Corrected (single-bit) and uncorrected (double-bit) counts; null when the board does not report them.</summary>
public sealed record EccCounts
{
    public long? Corrected { get; init; }
    public long? Uncorrected { get; init; }
}

/// <summary>Dynamic page retirement (pre-Ampere data-center GPUs).</summary>
public sealed record RetiredPages
{
    public long? SingleBitCount { get; init; }
    public long? DoubleBitCount { get; init; }

    /// <summary>Pages waiting for the next driver reload to be retired.</summary>
    public bool? PendingRetirement { get; init; }
}

/// <summary>Row remapping (Ampere and later).</summary>
public sealed record RemappedRows
{
    public long? Correctable { get; init; }
    public long? Uncorrectable { get; init; }

    /// <summary>A remap waits for a GPU reset.</summary>
    public bool? Pending { get; init; }

    /// <summary>A remap failed: the bank has no spare rows left.</summary>
    public bool? Failure { get; init; }
}

/// <summary>PCIe link: generation and lanes now versus the most the GPU and slot support.</summary>
public sealed record PcieLink
{
    public int? CurrentGen { get; init; }

    /// <summary>max_link_gen: the most the GPU and the system together support.</summary>
    public int? MaxGen { get; init; }

    public int? DeviceMaxGen { get; init; }
    public int? HostMaxGen { get; init; }
    public int? CurrentWidth { get; init; }
    public int? MaxWidth { get; init; }
    public long? ReplayCounter { get; init; }
    public long? ReplayRolloverCounter { get; init; }
}
