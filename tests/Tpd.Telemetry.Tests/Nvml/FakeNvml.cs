using Tpd.Telemetry.Nvml;

namespace Tpd.Telemetry.Tests.Nvml;

/// <summary>One H100-like device as NVML would answer (values in NVML units), with switches for what an old driver lacks.</summary>
internal sealed class FakeNvml : INvmlApi
{
    public bool HasEventReasons { get; init; } = true;
    public ulong Reasons { get; init; } = 0x4; // SwPowerCap
    public uint UtilizationGpu { get; init; } = 92;

    public string? DriverVersion() => "550.54.15";
    public int? CudaDriverVersion() => 12040;
    public int? DeviceCount() => 1;
    public string? Name(int i) => "NVIDIA H100 80GB HBM3";
    public string? Uuid(int i) => "GPU-00000000-1111-2222-3333-444444444444";
    public string? PciBusId(int i) => "00000000:18:00.0";
    public (int Major, int Minor)? ComputeCapability(int i) => (9, 0);
    public int? PersistenceMode(int i) => 0;
    public int? PerformanceState(int i) => 0;
    public uint? PowerUsage(int i) => 652_123;
    public uint? PowerLimit(int i) => 700_000;
    public uint? DefaultPowerLimit(int i) => 700_000;
    public uint? EnforcedPowerLimit(int i) => 700_000;
    public (uint Min, uint Max)? PowerLimitConstraints(int i) => (200_000, 700_000);
    public uint? Temperature(int i) => 71;
    public uint? TemperatureThreshold(int i, int threshold) => threshold switch { 0 => 92, 1 => 89, 2 => 95, 3 => 87, _ => null };
    public ulong? ClocksEventReasons(int i) => HasEventReasons ? Reasons : null;
    public ulong? ClocksThrottleReasons(int i) => Reasons;
    public uint? Clock(int i, int type) => type switch { 0 => 1410, 1 => 1410, 2 => 2619, _ => null };
    public uint? MaxClock(int i, int type) => type switch { 0 => 1980, 1 => 1980, 2 => 2619, _ => null };
    public (uint Gpu, uint Memory)? Utilization(int i) => (UtilizationGpu, 61);
    public (ulong Total, ulong Used)? Memory(int i) => (85_520_809_984, 80_000_000_000);
    public (int Current, int Pending)? EccMode(int i) => (1, 1);
    public ulong? EccErrors(int i, int errorType, int counterType) => errorType == 0 ? 3ul : 0ul;
    public int? RetiredPagesPending(int i) => 0;
    public (uint Correctable, uint Uncorrectable, uint Pending, uint Failure)? RemappedRows(int i) => (0, 0, 0, 0);
    public uint? PcieGeneration(int i) => 5;
    public uint? MaxPcieGeneration(int i) => 5;
    public uint? DeviceMaxPcieGeneration(int i) => 5;
    public uint? PcieWidth(int i) => 16;
    public uint? MaxPcieWidth(int i) => 16;
    public uint? PcieReplayCounter(int i) => 0;

    /// <summary>Xids the fake "driver" reports, one per wait, as (device, xid); an empty queue waits out the timeout.</summary>
    public Queue<(int Device, ulong Xid)> PendingXids { get; } = new();

    public bool EventsSupported { get; init; } = true;
    public int FreedSets { get; private set; }

    public nint? CreateXidEventSet(out IReadOnlyList<int> registered)
    {
        registered = EventsSupported ? [0] : [];
        return EventsSupported ? 42 : null;
    }

    public (int Device, ulong Xid)? WaitXid(nint set, uint timeoutMs)
    {
        if (PendingXids.TryDequeue(out var e))
            return e;
        Thread.Sleep((int)Math.Min(timeoutMs, 20));
        return null;
    }

    public void FreeEventSet(nint set) => FreedSets++;
}
