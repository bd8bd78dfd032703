namespace Tpd.Telemetry.Nvml;

/// <summary>
/// The NVML calls the doctor makes, one method per call, each returning null when the symbol is missing or
/// the call fails (NVML_ERROR_NOT_SUPPORTED and friends). Devices are addressed by index. Units are NVML's:
/// milliwatts, degrees C, MHz, bytes. Constants are nvml.h's.
/// </summary>
internal interface INvmlApi
{
    string? DriverVersion();

    /// <summary>nvmlSystemGetCudaDriverVersion_v2: 12020 means CUDA 12.2.</summary>
    int? CudaDriverVersion();

    int? DeviceCount();

    string? Name(int i);
    string? Uuid(int i);
    string? PciBusId(int i);
    (int Major, int Minor)? ComputeCapability(int i);

    /// <summary>nvmlEnableState_t: 0 disabled, 1 enabled.</summary>
    int? PersistenceMode(int i);

    /// <summary>nvmlPstates_t: 0 (P0) to 15; 32 unknown.</summary>
    int? PerformanceState(int i);

    uint? PowerUsage(int i);
    uint? PowerLimit(int i);
    uint? DefaultPowerLimit(int i);
    uint? EnforcedPowerLimit(int i);
    (uint Min, uint Max)? PowerLimitConstraints(int i);

    /// <summary>nvmlDeviceGetTemperature with NVML_TEMPERATURE_GPU (0).</summary>
    uint? Temperature(int i);

    /// <summary>nvmlTemperatureThresholds_t: 0 shutdown, 1 slowdown, 2 memory max, 3 GPU max.</summary>
    uint? TemperatureThreshold(int i, int threshold);

    /// <summary>nvmlDeviceGetCurrentClocksEventReasons (R535+); null when the symbol is missing.</summary>
    ulong? ClocksEventReasons(int i);

    /// <summary>nvmlDeviceGetCurrentClocksThrottleReasons, the pre-R535 name of the same call.</summary>
    ulong? ClocksThrottleReasons(int i);

    /// <summary>nvmlClockType_t: 0 graphics, 1 SM, 2 memory, 3 video.</summary>
    uint? Clock(int i, int type);

    uint? MaxClock(int i, int type);
    (uint Gpu, uint Memory)? Utilization(int i);
    (ulong Total, ulong Used)? Memory(int i);
    (int Current, int Pending)? EccMode(int i);

    /// <summary>nvmlDeviceGetTotalEccErrors: errorType 0 corrected, 1 uncorrected; counterType 0 volatile, 1 aggregate.</summary>
    ulong? EccErrors(int i, int errorType, int counterType);

    /// <summary>nvmlDeviceGetRetiredPagesPendingStatus: 1 when pages wait for retirement.</summary>
    int? RetiredPagesPending(int i);

    (uint Correctable, uint Uncorrectable, uint Pending, uint Failure)? RemappedRows(int i);
    uint? PcieGeneration(int i);
    uint? MaxPcieGeneration(int i);
    uint? DeviceMaxPcieGeneration(int i);
    uint? PcieWidth(int i);
    uint? MaxPcieWidth(int i);
    uint? PcieReplayCounter(int i);

    /// <summary>
    /// nvmlEventSetCreate, then nvmlDeviceRegisterEvents(nvmlEventTypeXidCriticalError = 0x8) on every device that
    /// supports it. Null when no set could be made; <paramref name="registered"/> lists the devices that will report.
    /// </summary>
    nint? CreateXidEventSet(out IReadOnlyList<int> registered);

    /// <summary>
    /// nvmlEventSetWait_v2 (nvmlEventSetWait before R450): the next Xid as (device index, Xid), or null when
    /// <paramref name="timeoutMs"/> passed without one (NVML_ERROR_TIMEOUT) or the wait failed.
    /// </summary>
    (int Device, ulong Xid)? WaitXid(nint set, uint timeoutMs);

    void FreeEventSet(nint set);
}
