namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// What an nvidia-smi reading can be, and how much XML is read. A value outside its range parses but cannot
/// be true (a 1e30 C temperature, a -1 W power limit): it is flagged as an invalid reading and left out, so no
/// rule turns it into a finding with absurd evidence. Ranges sit far outside anything a GPU reports (the
/// fixtures' extremes are named beside each). docs/validation/robustness.md lists them with the other limits.
/// </summary>
public static class SmiLimits
{
    /// <summary>Longest XML read: 16 MiB. One GPU takes 10 to 30 KB, so a 16-GPU host with its process list stays under 1 MB.</summary>
    public const int MaxXmlChars = 16 << 20;

    /// <summary>Element nesting: 32. nvidia-smi nests 6 deep (nvidia_smi_log/gpu/pci/pci_gpu_link_info/pcie_gen/max_link_gen).</summary>
    public const int MaxDepth = 32;

    /// <summary>Temperatures and T.Limit margins: -60 to 200 C (fixtures: -7 C margin to 104 C shutdown threshold).</summary>
    public static readonly ReadingRange Celsius = new(-60, 200, "C");

    /// <summary>Power draw: 0 to 10,000 W (a B200 board draws up to 1,000 W).</summary>
    public static readonly ReadingRange PowerDraw = new(0, 10_000, "W");

    /// <summary>Power limits: 1 to 10,000 W (fixtures: 30 W minimum to 500 W maximum limit).</summary>
    public static readonly ReadingRange PowerLimit = new(1, 10_000, "W");

    /// <summary>Clocks: 0 to 50,000 MHz (fixtures: up to 9,751 MHz GDDR memory clock).</summary>
    public static readonly ReadingRange Megahertz = new(0, 50_000, "MHz");

    /// <summary>Utilization: 0 to 100 %.</summary>
    public static readonly ReadingRange Percent = new(0, 100, "%");

    /// <summary>Frame-buffer memory: 0 to 64 TiB (an H200 has 141 GB).</summary>
    public static readonly ReadingRange MemoryMib = new(0, 64L << 20, "MiB");

    /// <summary>Event counts (ECC, retired pages, remapped rows, PCIe replays): whole numbers from 0 to 2^53, where a double still counts exactly.</summary>
    public static readonly ReadingRange Count = new(0, 1L << 53, "");

    /// <summary>PCIe generation: 1 to 16 (PCIe 7 is the newest specification).</summary>
    public static readonly ReadingRange PcieGeneration = new(1, 16, "");

    /// <summary>PCIe lanes: 1 to 64 (x32 is the widest link the specification defines).</summary>
    public static readonly ReadingRange PcieWidth = new(1, 64, "x");

    /// <summary>Clock-event time counters: 0 to 1e15 us, about 31 years (fixtures: 3.5 days).</summary>
    public static readonly ReadingRange CounterMicroseconds = new(0, 1e15, "us");
}

/// <summary>The values a reading may take, in the unit nvidia-smi prints (an empty unit is also accepted, as a bare number).</summary>
public sealed record ReadingRange(double Min, double Max, string Unit)
{
    public bool Contains(double v) => v >= Min && v <= Max;

    public override string ToString() =>
        Unit.Length == 0 ? FormattableString.Invariant($"{Min:G} to {Max:G}") : FormattableString.Invariant($"{Min:G} to {Max:G} {Unit}");
}

/// <summary>A reading that was present but cannot be true: which field, what the file said, and what a GPU reports.</summary>
public sealed record InvalidReading(string Field, string Raw, string Expected);
