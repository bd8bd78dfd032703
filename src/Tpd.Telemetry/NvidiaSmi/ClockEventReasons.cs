namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// Why the GPU's clocks are below their maximum. Bit values are NVML's
/// <c>nvmlClocksEventReason*</c> constants (nvml.h, R535+; identical to the older
/// <c>nvmlClocksThrottleReason*</c> values), so NVML readings and nvidia-smi XML share one type.
/// </summary>
[Flags]
public enum ClockEventReasons : ulong
{
    None = 0,
    GpuIdle = 0x1,
    ApplicationsClocksSetting = 0x2,
    SwPowerCap = 0x4,
    HwSlowdown = 0x8,
    SyncBoost = 0x10,
    SwThermalSlowdown = 0x20,
    HwThermalSlowdown = 0x40,
    HwPowerBrakeSlowdown = 0x80,
    DisplayClockSetting = 0x100,
}

/// <summary>
/// Reasons a sample reported at all (Active or Not Active; the rest are unknown), and which of those were Active.
/// </summary>
public readonly record struct ClockEventState(ClockEventReasons Reported, ClockEventReasons Active)
{
    public bool IsActive(ClockEventReasons reason) => (Active & reason) != 0;

    public bool IsReported(ClockEventReasons reason) => (Reported & reason) == reason;
}

/// <summary>
/// Time spent in each clock-event reason since driver load (nvidia-smi v13 <c>clocks_event_reasons_counters</c>,
/// NVML <c>nvmlDeviceGetFieldValues</c> NVML_FI_DEV_CLOCKS_EVENT_REASON_*). Null where not reported.
/// </summary>
public sealed record ClockEventCounters
{
    public Tpd.Core.Units.Duration? SwPowerCap { get; init; }
    public Tpd.Core.Units.Duration? SyncBoost { get; init; }
    public Tpd.Core.Units.Duration? SwThermalSlowdown { get; init; }
    public Tpd.Core.Units.Duration? HwThermalSlowdown { get; init; }
    public Tpd.Core.Units.Duration? HwPowerBrake { get; init; }
    public Tpd.Core.Units.Duration? HwSlowdown { get; init; }
}
