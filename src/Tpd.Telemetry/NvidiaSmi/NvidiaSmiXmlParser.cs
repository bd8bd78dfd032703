using System.Xml;
using System.Xml.Linq;

namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// Parses `nvidia-smi -q -x` output into one <see cref="GpuSnapshot"/> per GPU. The schema drifts with the
/// driver, not with the DTD version (R525 under DTD v12 still writes clocks_throttle_reasons and
/// power_readings; R570 under v12 already writes average_power_draw), so every field accepts each name it
/// has had and nothing depends on the DOCTYPE. The DTD is never fetched or processed. Readings are unit- and
/// range-checked (<see cref="SmiLimits"/>): one that cannot be true is left out and listed in
/// <see cref="GpuSnapshot.InvalidReadings"/>. Size and nesting are bounded before the tree is built.
/// </summary>
public static class NvidiaSmiXmlParser
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = SmiLimits.MaxXmlChars,
    };

    public static NvidiaSmiReport Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        if (xml.Length > SmiLimits.MaxXmlChars)
        {
            throw new NvidiaSmiFormatException(
                $"not nvidia-smi XML: {xml.Length:N0} characters, more than the {SmiLimits.MaxXmlChars:N0} read (one GPU takes about 20 KB); produce it with `nvidia-smi -q -x > smi.xml`");
        }

        XDocument doc;
        try
        {
            CheckDepth(xml);
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

    /// <summary>
    /// One streaming pass that refuses nesting deeper than <see cref="SmiLimits.MaxDepth"/> before a tree is built:
    /// 100,000 nested elements took XDocument quadratic time.
    /// </summary>
    private static void CheckDepth(string xml)
    {
        using var scan = XmlReader.Create(new StringReader(xml), Settings);
        while (scan.Read())
        {
            if (scan.Depth > SmiLimits.MaxDepth)
            {
                throw new NvidiaSmiFormatException(
                    $"not nvidia-smi XML: elements nest more than {SmiLimits.MaxDepth} deep at line {((IXmlLineInfo)scan).LineNumber} (nvidia-smi nests 6); produce it with `nvidia-smi -q -x > smi.xml`");
            }
        }
    }

    private static GpuSnapshot ParseGpu(XElement g, int index, string? driver, string? cuda)
    {
        var r = new SmiReadings();
        // Versions are the document's, checked per GPU so that each GPU's findings say what was left out.
        var snapshot = ParseGpu(g, index, r.Version("nvidia_smi_log.driver_version", driver), r.Version("nvidia_smi_log.cuda_version", cuda), r);
        return snapshot with { InvalidReadings = r.Invalid };
    }

    private static GpuSnapshot ParseGpu(XElement g, int index, string? driver, string? cuda, SmiReadings r) => new()
    {
        Index = index,
        Name = SmiValue.Text(Val(g, "product_name")),
        Uuid = SmiValue.Text(Val(g, "uuid")),
        PciBusId = SmiValue.Text(Val(g, "pci", "pci_bus_id")) ?? SmiValue.Text(g.Attribute("id")?.Value),
        Architecture = SmiValue.Text(Val(g, "product_architecture")),
        ComputeCapability = r.Version("gpu.compute_cap", SmiValue.Text(Val(g, "compute_cap")) ?? SmiValue.Text(Val(g, "cuda_compute_capability"))),
        DriverVersion = driver,
        CudaVersion = cuda,
        PersistenceMode = SmiValue.Flag(Val(g, "persistence_mode")),
        MigEnabled = SmiValue.Flag(Val(g, "mig_mode", "current_mig")),
        PerformanceState = SmiValue.Text(Val(g, "performance_state")),
        Power = ParsePower(g, r),
        Temperature = ParseTemperature(g.Element("temperature"), r),
        ClockEvents = ParseReasons(g.Element("clocks_event_reasons") ?? g.Element("clocks_throttle_reasons")),
        ClockEventCounters = ParseCounters(g.Element("clocks_event_reasons_counters") ?? g.Element("clocks_throttle_reasons_counters"), r),
        Clocks = new ClockReadings
        {
            GraphicsMhz = r.Megahertz(g.Element("clocks"), "graphics_clock"),
            SmMhz = r.Megahertz(g.Element("clocks"), "sm_clock"),
            MemoryMhz = r.Megahertz(g.Element("clocks"), "mem_clock"),
            MaxGraphicsMhz = r.Megahertz(g.Element("max_clocks"), "graphics_clock"),
            MaxSmMhz = r.Megahertz(g.Element("max_clocks"), "sm_clock"),
            MaxMemoryMhz = r.Megahertz(g.Element("max_clocks"), "mem_clock"),
        },
        GpuUtilizationPercent = r.Percent(g.Element("utilization"), "gpu_util"),
        MemoryUtilizationPercent = r.Percent(g.Element("utilization"), "memory_util"),
        MemoryUsed = r.Memory(g.Element("fb_memory_usage"), "used"),
        MemoryTotal = r.Memory(g.Element("fb_memory_usage"), "total"),
        Ecc = new EccState
        {
            CurrentEnabled = SmiValue.Flag(Val(g, "ecc_mode", "current_ecc")),
            PendingEnabled = SmiValue.Flag(Val(g, "ecc_mode", "pending_ecc")),
            Volatile = ParseEccCounts(g.Element("ecc_errors")?.Element("volatile"), r),
            Aggregate = ParseEccCounts(g.Element("ecc_errors")?.Element("aggregate"), r),
        },
        RetiredPages = new RetiredPages
        {
            SingleBitCount = r.Count(g.Element("retired_pages")?.Element("multiple_single_bit_retirement"), "retired_count"),
            DoubleBitCount = r.Count(g.Element("retired_pages")?.Element("double_bit_retirement"), "retired_count"),
            PendingRetirement = SmiValue.Flag(Val(g, "retired_pages", "pending_retirement")),
        },
        RemappedRows = new RemappedRows
        {
            Correctable = r.Count(g.Element("remapped_rows"), "remapped_row_corr"),
            Uncorrectable = r.Count(g.Element("remapped_rows"), "remapped_row_unc"),
            Pending = SmiValue.Flag(Val(g, "remapped_rows", "remapped_row_pending")),
            Failure = SmiValue.Flag(Val(g, "remapped_rows", "remapped_row_failure")),
        },
        Pcie = ParsePcie(g.Element("pci"), r),
    };

    private static PowerReadings ParsePower(XElement g, SmiReadings r)
    {
        // R535 renamed power_readings to gpu_power_readings (and added module_power_readings, which is the
        // whole Grace-Hopper module, not the GPU); R570 replaced power_draw with average/instant draws.
        var p = g.Element("gpu_power_readings") ?? g.Element("power_readings");
        if (p is null)
            return new PowerReadings();
        var draw = SmiLimits.PowerDraw;
        var limit = SmiLimits.PowerLimit;
        var average = r.Watts(p, "average_power_draw", draw);
        var instant = r.Watts(p, "instant_power_draw", draw);
        var power = r.Watts(p, "power_draw", draw);
        var userLimit = r.Watts(p, "power_limit", limit);
        var currentLimit = r.Watts(p, "current_power_limit", limit);
        return new PowerReadings
        {
            Draw = power ?? average ?? instant,
            InstantDraw = instant,
            Limit = userLimit ?? currentLimit,
            RequestedLimit = r.Watts(p, "requested_power_limit", limit),
            DefaultLimit = r.Watts(p, "default_power_limit", limit),
            EnforcedLimit = r.Watts(p, "enforced_power_limit", limit),
            MinLimit = r.Watts(p, "min_power_limit", limit),
            MaxLimit = r.Watts(p, "max_power_limit", limit),
        };
    }

    private static Temperatures ParseTemperature(XElement? t, SmiReadings r) => t is null ? new Temperatures() : new Temperatures
    {
        GpuCelsius = r.Celsius(t, "gpu_temp"),
        SlowdownCelsius = r.Celsius(t, "gpu_temp_slow_threshold"),
        ShutdownCelsius = r.Celsius(t, "gpu_temp_max_threshold"),
        MaxOperatingCelsius = r.Celsius(t, "gpu_temp_max_gpu_threshold"),
        TargetCelsius = r.Celsius(t, "gpu_target_temperature"),
        MemoryCelsius = r.Celsius(t, "memory_temp"),
        MemoryMaxCelsius = r.Celsius(t, "gpu_temp_max_mem_threshold"),
        TLimitCelsius = r.Celsius(t, "gpu_temp_tlimit"),
        SlowdownTLimitCelsius = r.Celsius(t, "gpu_temp_slow_tlimit_threshold"),
        ShutdownTLimitCelsius = r.Celsius(t, "gpu_temp_max_tlimit_threshold"),
        MaxOperatingTLimitCelsius = r.Celsius(t, "gpu_temp_max_gpu_tlimit_threshold"),
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

    private static ClockEventCounters? ParseCounters(XElement? section, SmiReadings r)
    {
        if (section is null)
            return null;
        Tpd.Core.Units.Duration? Get(params string[] names) =>
            section.Elements()
                .Where(e => names.Contains(StripPrefix(e.Name.LocalName, "clocks_event_reasons_counters_", "clocks_throttle_reasons_counters_")))
                .Select(e => r.Microseconds(section, e.Name.LocalName))
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
    private static EccCounts ParseEccCounts(XElement? scope, SmiReadings r)
    {
        if (scope is null)
            return new EccCounts();
        return new EccCounts
        {
            Corrected = Sum(scope, ["sram_correctable", "dram_correctable"], "single_bit", r),
            Uncorrected = Sum(scope, ["sram_uncorrectable", "sram_uncorrectable_parity", "sram_uncorrectable_secded", "dram_uncorrectable"], "double_bit", r),
        };

        static long? Sum(XElement scope, string[] names, string legacy, SmiReadings r)
        {
            var values = names.Select(n => r.Count(scope, n)).Where(v => v is not null).ToList();
            if (values.Count > 0)
                return values.Sum();
            return r.Count(scope.Element(legacy), "total");
        }
    }

    private static PcieLink ParsePcie(XElement? pci, SmiReadings r)
    {
        if (pci is null)
            return new PcieLink();
        var gen = pci.Element("pci_gpu_link_info")?.Element("pcie_gen");
        var width = pci.Element("pci_gpu_link_info")?.Element("link_widths");
        var current = r.PcieGeneration(gen, "current_link_gen");
        var deviceCurrent = r.PcieGeneration(gen, "device_current_link_gen");
        return new PcieLink
        {
            CurrentGen = current ?? deviceCurrent,
            MaxGen = r.PcieGeneration(gen, "max_link_gen"),
            DeviceMaxGen = r.PcieGeneration(gen, "max_device_link_gen"),
            HostMaxGen = r.PcieGeneration(gen, "max_host_link_gen"),
            CurrentWidth = r.PcieWidth(width, "current_link_width"),
            MaxWidth = r.PcieWidth(width, "max_link_width"),
            ReplayCounter = r.Count(pci, "replay_counter"),
            ReplayRolloverCounter = r.Count(pci, "replay_rollover_counter"),
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
