namespace Tpd.Telemetry.Doctor;

/// <summary>Thresholds of the doctor's rules, with where each comes from. Defaults are documented in docs/doctor.md.</summary>
public sealed record DoctorOptions
{
    /// <summary>
    /// A GPU counts as busy at this utilization or above. 30% keeps the idle false positives out
    /// (idle boards report 0-1% with SwPowerCap and PCIe Gen1 set, see telegraf_3090-v13.xml) while a
    /// serving GPU under any real load reads far higher (telegraf_rtx-3080-v13.xml: 65% in P2).
    /// </summary>
    public double BusyUtilizationPercent { get; init; } = 30;

    /// <summary>
    /// Where utilization is not reported (MIG mode reports N/A), a GPU drawing this share of its power
    /// limit counts as busy; idle boards in the fixtures draw 3-13% of their limit.
    /// </summary>
    public double BusyPowerFraction { get; init; } = 0.4;

    /// <summary>"Temperature within a few degrees of the slowdown threshold" (OPERATE.md): 5 C.</summary>
    public double ThermalMarginCelsius { get; init; } = 5;

    /// <summary>"SM clock well below max" (OPERATE.md): below 90% of the maximum SM clock. Boost bins are
    /// 15 MHz apart and a loaded GPU sits a few bins under max without any cap (3080 fixture: 1950 of 2100 MHz = 93%).</summary>
    public double SmClockWellBelowMax { get; init; } = 0.9;

    /// <summary>KV usage at or above this with preemptions in the window means too little KV memory.</summary>
    public double KvNearFull { get; init; } = 0.95;

    /// <summary>Requests waiting while mean GPU utilization is below this points at the front end, not the GPU.</summary>
    public double LowGpuUtilizationPercent { get; init; } = 50;

    /// <summary>Warn when queue time is at least this share of queue plus inference time (requests wait as long as they run).</summary>
    public double QueueShareWarning { get; init; } = 0.5;

    /// <summary>Minimum driver: 535.104 (the seed's environment prerequisites: "NVIDIA Driver 535.104+").</summary>
    public Version MinDriver { get; init; } = new(535, 104);

    /// <summary>Minimum CUDA: 12.2 (the seed: "CUDA Toolkit 12.2+").</summary>
    public Version MinCuda { get; init; } = new(12, 2);

    /// <summary>Minimum kernel: 5.15 (the seed: "Linux Kernel 5.15+").</summary>
    public Version MinKernel { get; init; } = new(5, 15);

    /// <summary>
    /// CUDA version the serving stack was built for (for example 12.8 for a cu128 vLLM wheel); when set, a
    /// driver whose CUDA version is lower is an error. Null skips the check.
    /// </summary>
    public Version? ServingStackCuda { get; init; }

    /// <summary>Ports whose listeners are checked for binding to all interfaces: vLLM 8000, TGI 8080 (its container port) and 3000 (launcher default), SGLang 30000.</summary>
    public IReadOnlyList<int> ServingPorts { get; init; } = [8000, 8080, 3000, 30000];
}
