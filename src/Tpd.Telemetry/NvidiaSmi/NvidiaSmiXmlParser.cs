using System.Xml;
using System.Xml.Linq;

namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// Parses `nvidia-smi -q -x` output into one <see cref="GpuSnapshot"/> per GPU. The schema drifts with the
/// driver, not with the DTD version (R525 under DTD v12 still writes clocks_throttle_reasons and
/// power_readings; R570 under v12 already writes average_power_draw), so every field accepts each name it
/// has had and nothing depends on the DOCTYPE. The DTD is never fetched or processed.
/// </summary>
public static class NvidiaSmiXmlParser
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    public static NvidiaSmiReport Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        XDocument doc;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new NvidiaSmiFormatException(
                $"not nvidia-smi XML: {e.Message} (starts with '{Preview(xml)}'); produce it with `nvidia-smi -q -x > smi.xml`", e);
        }

        var root = doc.Root;
        if (root is null || root.Name.LocalName != "nvidia_smi_log")
        {
            throw new NvidiaSmiFormatException(
                $"not nvidia-smi XML: root element is '{root?.Name.LocalName}', expected 'nvidia_smi_log'; produce it with `nvidia-smi -q -x > smi.xml`");
        }

        var driver = SmiValue.Text(Val(root, "driver_version"));
        var cuda = SmiValue.Text(Val(root, "cuda_version"));
        var gpus = root.Elements("gpu").Select((g, i) => ParseGpu(g, i, driver, cuda)).ToList();
        return new NvidiaSmiReport(SmiValue.Text(Val(root, "timestamp")), driver, cuda, SmiValue.Int(Val(root, "attached_gpus")), gpus);
    }

    private static GpuSnapshot ParseGpu(XElement g, int index, string? driver, string? cuda) => new()
    {
        Index = index,
        Name = SmiValue.Text(Val(g, "product_name")),
        Uuid = SmiValue.Text(Val(g, "uuid")),
        PciBusId = SmiValue.Text(Val(g, "pci", "pci_bus_id")) ?? SmiValue.Text(g.Attribute("id")?.Value),
        Architecture = SmiValue.Text(Val(g, "product_architecture")),
        ComputeCapability = SmiValue.Text(Val(g, "compute_cap")) ?? SmiValue.Text(Val(g, "cuda_compute_capability")),
        DriverVersion = driver,
        CudaVersion = cuda,
        PersistenceMode = SmiValue.Flag(Val(g, "persistence_mode")),
        MigEnabled = SmiValue.Flag(Val(g, "mig_mode", "current_mig")),
        PerformanceState = SmiValue.Text(Val(g, "performance_state")),
        Power = ParsePower(g),
        Temperature = ParseTemperature(g.Element("temperature")),
        ClockEvents = ParseReasons(g.Element("clocks_event_reasons") ?? g.Element("clocks_throttle_reasons")),
        ClockEventCounters = ParseCounters(g.Element("clocks_event_reasons_counters") ?? g.Element("clocks_throttle_reasons_counters")),
        Clocks = new ClockReadings
        {
            GraphicsMhz = SmiValue.Number(Val(g, "clocks", "graphics_clock")),
            SmMhz = SmiValue.Number(Val(g, "clocks", "sm_clock")),
            MemoryMhz = SmiValue.Number(Val(g, "clocks", "mem_clock")),
            MaxGraphicsMhz = SmiValue.Number(Val(g, "max_clocks", "graphics_clock")),
            MaxSmMhz = SmiValue.Number(Val(g, "max_clocks", "sm_clock")),
            MaxMemoryMhz = SmiValue.Number(Val(g, "max_clocks", "mem_clock")),
        },
        GpuUtilizationPercent = SmiValue.Number(Val(g, "utilization", "gpu_util")),
        MemoryUtilizationPercent = SmiValue.Number(Val(g, "utilization", "memory_util")),
        MemoryUsed = SmiValue.Size(Val(g, "fb_memory_usage", "used")),
        MemoryTotal = SmiValue.Size(Val(g, "fb_memory_usage", "total")),
        Ecc = new EccState
        {
            CurrentEnabled = SmiValue.Flag(Val(g, "ecc_mode", "current_ecc")),
            PendingEnabled = SmiValue.Flag(Val(g, "ecc_mode", "pending_ecc")),
            Volatile = ParseEccCounts(g.Element("ecc_errors")?.Element("volatile")),
            Aggregate = ParseEccCounts(g.Element("ecc_errors")?.Element("aggregate")),
        },
        RetiredPages = new RetiredPages
        {
            SingleBitCount = SmiValue.Count(Val(g, "retired_pages", "multiple_single_bit_retirement", "retired_count")),
            DoubleBitCount = SmiValue.Count(Val(g, "retired_pages", "double_bit_retirement", "retired_count")),
            PendingRetirement = SmiValue.Flag(Val(g, "retired_pages", "pending_retirement")),
        },
        RemappedRows = new RemappedRows
        {
            Correctable = SmiValue.Count(Val(g, "remapped_rows", "remapped_row_corr")),
            Uncorrectable = SmiValue.Count(Val(g, "remapped_rows", "remapped_row_unc")),
            Pending = SmiValue.Flag(Val(g, "remapped_rows", "remapped_row_pending")),
            Failure = SmiValue.Flag(Val(g, "remapped_rows", "remapped_row_failure")),
        },
        Pcie = ParsePcie(g.Element("pci")),
    };

    private static PowerReadings ParsePower(XElement g)
    {
        // R535 renamed power_readings to gpu_power_readings (and added module_power_readings, which is the
        // whole Grace-Hopper module, not the GPU); R570 replaced power_draw with average/instant draws.
        var p = g.Element("gpu_power_readings") ?? g.Element("power_readings");
        if (p is null)
            return new PowerReadings();
        var average = SmiValue.Power(Val(p, "average_power_draw"));
        var instant = SmiValue.Power(Val(p, "instant_power_draw"));
        return new PowerReadings
        {
            Draw = SmiValue.Power(Val(p, "power_draw")) ?? average ?? instant,
            InstantDraw = instant,
            Limit = SmiValue.Power(Val(p, "power_limit")) ?? SmiValue.Power(Val(p, "current_power_limit")),
            RequestedLimit = SmiValue.Power(Val(p, "requested_power_limit")),
            DefaultLimit = SmiValue.Power(Val(p, "default_power_limit")),
            EnforcedLimit = SmiValue.Power(Val(p, "enforced_power_limit")),
            MinLimit = SmiValue.Power(Val(p, "min_power_limit")),
            MaxLimit = SmiValue.Power(Val(p, "max_power_limit")),
        };
    }

    private static Temperatures ParseTemperature(XElement? t) => t is null ? new Temperatures() : new Temperatures
    {
        GpuCelsius = SmiValue.Number(Val(t, "gpu_temp")),
        SlowdownCelsius = SmiValue.Number(Val(t, "gpu_temp_slow_threshold")),
        ShutdownCelsius = SmiValue.Number(Val(t, "gpu_temp_max_threshold")),
        MaxOperatingCelsius = SmiValue.Number(Val(t, "gpu_temp_max_gpu_threshold")),
        TargetCelsius = SmiValue.Number(Val(t, "gpu_target_temperature")),
        MemoryCelsius = SmiValue.Number(Val(t, "memory_temp")),
        MemoryMaxCelsius = SmiValue.Number(Val(t, "gpu_temp_max_mem_threshold")),
        TLimitCelsius = SmiValue.Number(Val(t, "gpu_temp_tlimit")),
        SlowdownTLimitCelsius = SmiValue.Number(Val(t, "gpu_temp_slow_tlimit_threshold")),
        ShutdownTLimitCelsius = SmiValue.Number(Val(t, "gpu_temp_max_tlimit_threshold")),
        MaxOperatingTLimitCelsius = SmiValue.Number(Val(t, "gpu_temp_max_gpu_tlimit_threshold")),
    };

    private static ClockEventState? ParseReasons(XElement? section)
    {
        if (section is null)
            return null;
        ClockEventReasons reported = 0, active = 0;
        foreach (var e in section.Elements())
        {
            var name = StripPrefix(e.Name.LocalName, "clocks_event_reason_", "clocks_throttle_reason_");
            if (ReasonFromName(name) is not { } reason || SmiValue.Flag(e.Value) is not { } on)
                continue;
            reported |= reason;
            if (on)
                active |= reason;
        }

        return new ClockEventState(reported, active);
    }

    private static ClockEventReasons? ReasonFromName(string name) => name switch
    {
        "gpu_idle" => ClockEventReasons.GpuIdle,
        "applications_clocks_setting" => ClockEventReasons.ApplicationsClocksSetting,
        "sw_power_cap" => ClockEventReasons.SwPowerCap,
        "hw_slowdown" => ClockEventReasons.HwSlowdown,
        "sync_boost" => ClockEventReasons.SyncBoost,
        "sw_thermal_slowdown" => ClockEventReasons.SwThermalSlowdown,
        "hw_thermal_slowdown" => ClockEventReasons.HwThermalSlowdown,
        "hw_power_brake_slowdown" => ClockEventReasons.HwPowerBrakeSlowdown,
        "display_clocks_setting" => ClockEventReasons.DisplayClockSetting,
        _ => null,
    };

    private static ClockEventCounters? ParseCounters(XElement? section)
    {
        if (section is null)
            return null;
        Tpd.Core.Units.Duration? Get(params string[] names) =>
            section.Elements()
                .Where(e => names.Contains(StripPrefix(e.Name.LocalName, "clocks_event_reasons_counters_", "clocks_throttle_reasons_counters_")))
                .Select(e => SmiValue.Time(e.Value))
                .FirstOrDefault(d => d is not null);
        return new ClockEventCounters
        {
            SwPowerCap = Get("sw_power_cap"),
            SyncBoost = Get("sync_boost"),
            SwThermalSlowdown = Get("sw_therm_slowdown", "sw_thermal_slowdown"),
            HwThermalSlowdown = Get("hw_therm_slowdown", "hw_thermal_slowdown"),
            HwPowerBrake = Get("hw_power_brake", "hw_power_brake_slowdown"),
            HwSlowdown = Get("hw_slowdown"),
        };
    }

    /// <summary>
    /// Adds every count the schema has: sram_/dram_ (R450+, split into parity/secded in R570) or the older
    /// single_bit/double_bit totals. Null when none is reported.
    /// </summary>
    private static EccCounts ParseEccCounts(XElement? scope)
    {
        if (scope is null)
            return new EccCounts();
        return new EccCounts
        {
            Corrected = Sum(scope, ["sram_correctable", "dram_correctable"], "single_bit"),
            Uncorrected = Sum(scope, ["sram_uncorrectable", "sram_uncorrectable_parity", "sram_uncorrectable_secded", "dram_uncorrectable"], "double_bit"),
        };

        static long? Sum(XElement scope, string[] names, string legacy)
        {
            var values = names.Select(n => SmiValue.Count(scope.Element(n)?.Value)).Where(v => v is not null).ToList();
            if (values.Count > 0)
                return values.Sum();
            return SmiValue.Count(scope.Element(legacy)?.Element("total")?.Value);
        }
    }

    private static PcieLink ParsePcie(XElement? pci)
    {
        if (pci is null)
            return new PcieLink();
        var gen = pci.Element("pci_gpu_link_info")?.Element("pcie_gen");
        var width = pci.Element("pci_gpu_link_info")?.Element("link_widths");
        return new PcieLink
        {
            CurrentGen = SmiValue.Int(gen?.Element("current_link_gen")?.Value) ?? SmiValue.Int(gen?.Element("device_current_link_gen")?.Value),
            MaxGen = SmiValue.Int(gen?.Element("max_link_gen")?.Value),
            DeviceMaxGen = SmiValue.Int(gen?.Element("max_device_link_gen")?.Value),
            HostMaxGen = SmiValue.Int(gen?.Element("max_host_link_gen")?.Value),
            CurrentWidth = SmiValue.Int(width?.Element("current_link_width")?.Value),
            MaxWidth = SmiValue.Int(width?.Element("max_link_width")?.Value),
            ReplayCounter = SmiValue.Count(Val(pci, "replay_counter")),
            ReplayRolloverCounter = SmiValue.Count(Val(pci, "replay_rollover_counter")),
        };
    }

    private static string? Val(XElement parent, params string[] path)
    {
        XElement? e = parent;
        foreach (var name in path)
        {
            e = e.Element(name);
            if (e is null)
                return null;
        }

        return e.HasElements ? null : e.Value;
    }

    private static string StripPrefix(string name, params string[] prefixes)
    {
        foreach (var p in prefixes)
        {
            if (name.StartsWith(p, StringComparison.Ordinal))
                return name[p.Length..];
        }

        return name;
    }

    private static string Preview(string text)
    {
        var t = text.TrimStart();
        return t.Length <= 40 ? t : t[..40] + "...";
    }
}
