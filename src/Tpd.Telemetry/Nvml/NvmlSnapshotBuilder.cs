using System.Globalization;
using Tpd.Core.Units;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Nvml;

/// <summary>Turns NVML answers into the same <see cref="GpuSnapshot"/> the nvidia-smi parser produces, so one set of rules serves both.</summary>
internal static class NvmlSnapshotBuilder
{
    private const int ClockGraphics = 0, ClockSm = 1, ClockMemory = 2;
    private const int ThresholdShutdown = 0, ThresholdSlowdown = 1, ThresholdMemMax = 2, ThresholdGpuMax = 3;

    /// <summary>All nine reason bits NVML defines (nvml.h nvmlClocksEventReason*): NVML reports each as set or clear.</summary>
    private const ClockEventReasons AllReasons = (ClockEventReasons)0x1FF;

    public static IReadOnlyList<GpuSnapshot> Build(INvmlApi api)
    {
        var driver = api.DriverVersion();
        var cuda = api.CudaDriverVersion() is { } v ? $"{v / 1000}.{v % 1000 / 10}" : null;
        var count = api.DeviceCount() ?? 0;
        var gpus = new List<GpuSnapshot>(count);
        for (var i = 0; i < count; i++)
            gpus.Add(Device(api, i, driver, cuda));
        return gpus;
    }

    private static GpuSnapshot Device(INvmlApi api, int i, string? driver, string? cuda)
    {
        // R535 renamed ...ThrottleReasons to ...ClocksEventReasons; older drivers only export the old symbol.
        var reasons = api.ClocksEventReasons(i) ?? api.ClocksThrottleReasons(i);
        var limits = api.PowerLimitConstraints(i);
        var util = api.Utilization(i);
        var memory = api.Memory(i);
        var ecc = api.EccMode(i);
        var remap = api.RemappedRows(i);
        return new GpuSnapshot
        {
            Index = i,
            Name = api.Name(i),
            Uuid = api.Uuid(i),
            PciBusId = api.PciBusId(i),
            ComputeCapability = api.ComputeCapability(i) is { } cc ? $"{cc.Major}.{cc.Minor}" : null,
            DriverVersion = driver,
            CudaVersion = cuda,
            PersistenceMode = api.PersistenceMode(i) is { } pm ? pm == 1 : null,
            PerformanceState = api.PerformanceState(i) is { } ps and >= 0 and <= 15 ? "P" + ps.ToString(CultureInfo.InvariantCulture) : null,
            Power = new PowerReadings
            {
                Draw = MilliWatts(api.PowerUsage(i)),
                Limit = MilliWatts(api.PowerLimit(i)),
                DefaultLimit = MilliWatts(api.DefaultPowerLimit(i)),
                EnforcedLimit = MilliWatts(api.EnforcedPowerLimit(i)),
                MinLimit = MilliWatts(limits?.Min),
                MaxLimit = MilliWatts(limits?.Max),
            },
            Temperature = new Temperatures
            {
                GpuCelsius = api.Temperature(i),
                ShutdownCelsius = api.TemperatureThreshold(i, ThresholdShutdown),
                SlowdownCelsius = api.TemperatureThreshold(i, ThresholdSlowdown),
                MemoryMaxCelsius = api.TemperatureThreshold(i, ThresholdMemMax),
                MaxOperatingCelsius = api.TemperatureThreshold(i, ThresholdGpuMax),
            },
            ClockEvents = reasons is { } r ? new ClockEventState(AllReasons, (ClockEventReasons)r & AllReasons) : null,
            Clocks = new ClockReadings
            {
                GraphicsMhz = api.Clock(i, ClockGraphics),
                SmMhz = api.Clock(i, ClockSm),
                MemoryMhz = api.Clock(i, ClockMemory),
                MaxGraphicsMhz = api.MaxClock(i, ClockGraphics),
                MaxSmMhz = api.MaxClock(i, ClockSm),
                MaxMemoryMhz = api.MaxClock(i, ClockMemory),
            },
            GpuUtilizationPercent = util?.Gpu,
            MemoryUtilizationPercent = util?.Memory,
            MemoryTotal = memory is { } m ? DataSize.FromBytes(m.Total) : null,
            MemoryUsed = memory is { } mu ? DataSize.FromBytes(mu.Used) : null,
            Ecc = new EccState
            {
                CurrentEnabled = ecc is { } e ? e.Current == 1 : null,
                PendingEnabled = ecc is { } ep ? ep.Pending == 1 : null,
                Volatile = new EccCounts { Corrected = Count(api.EccErrors(i, 0, 0)), Uncorrected = Count(api.EccErrors(i, 1, 0)) },
                Aggregate = new EccCounts { Corrected = Count(api.EccErrors(i, 0, 1)), Uncorrected = Count(api.EccErrors(i, 1, 1)) },
            },
            RetiredPages = new RetiredPages { PendingRetirement = api.RetiredPagesPending(i) is { } rp ? rp == 1 : null },
            RemappedRows = remap is { } rr
                ? new RemappedRows { Correctable = rr.Correctable, Uncorrectable = rr.Uncorrectable, Pending = rr.Pending != 0, Failure = rr.Failure != 0 }
                : new RemappedRows(),
            Pcie = new PcieLink
            {
                CurrentGen = (int?)api.PcieGeneration(i),
                MaxGen = (int?)api.MaxPcieGeneration(i),
                DeviceMaxGen = (int?)api.DeviceMaxPcieGeneration(i),
                CurrentWidth = (int?)api.PcieWidth(i),
                MaxWidth = (int?)api.MaxPcieWidth(i),
                ReplayCounter = api.PcieReplayCounter(i),
            },
        };
    }

    private static Power? MilliWatts(uint? mw) => mw is { } v ? Power.FromWatts(v / 1000.0) : null;

    private static long? Count(ulong? v) => v is { } x ? (long)Math.Min(x, long.MaxValue) : null;
}
