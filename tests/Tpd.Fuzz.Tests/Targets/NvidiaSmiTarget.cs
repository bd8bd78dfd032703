using System.Globalization;
using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Mutation;

namespace Tpd.Fuzz.Tests.Targets;

/// <summary>`tpd doctor --nvidia-smi-xml FILE` over mutated nvidia-smi XML.</summary>
public sealed class NvidiaSmiTarget : CliTarget
{
    /// <summary>Checked readings (section, element) with the unit and range SmiLimits gives them.</summary>
    private static readonly Dictionary<(string Section, string Element), (string Unit, double Min, double Max)> Checked = Build();

    public override string Name => "nvidia-smi-xml";

    public override string Extension => ".xml";

    public override IMutator Mutator { get; } = new XmlMutator(Rules, Edge);

    protected override IEnumerable<string> SeedFiles() => [.. FixtureFiles("nvidia-smi", "*.xml"), .. FixtureFiles("fuzz/nvidia-smi", "*.xml")];

    protected override string[] Arguments(string path) => ["doctor", "--nvidia-smi-xml", path];

    /// <summary>The doctor exits 2 for error findings too; an unreadable file is its own finding.</summary>
    public override bool Accepts(Outcome outcome) => !outcome.Output.Contains("input.nvidia-smi-xml.unreadable", StringComparison.Ordinal);

    /// <summary>A reading that parses as a number in its own unit but lies outside what a GPU reports must be flagged.</summary>
    private static MustMention? Rules(XmlChange c)
    {
        if (!c.UnderGpu || !Checked.TryGetValue((c.Parent, c.Element), out var r))
            return null;
        var parts = c.Text.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            return null;
        var unit = parts.Length == 2 ? parts[1].Trim() : "";
        if (unit != r.Unit)
            return null;
        return v < r.Min || v > r.Max ? new MustMention("gpu.readings.invalid", $"{c.Parent}.{c.Element} = {c.Text}") : null;
    }

    /// <summary>
    /// For a checked reading, a value at its edges in its own unit: the bounds themselves and zero (possible, so the
    /// rules must cope: a stopped SM clock under load once made a 100 % slowdown and an exception), or just or far
    /// outside (impossible, so it must be flagged). For a clock-event reason, Active or Not Active.
    /// </summary>
    private static string? Edge(System.Xml.Linq.XElement leaf, Random random)
    {
        if (leaf.Name.LocalName.StartsWith("clocks_event_reason_", StringComparison.Ordinal) && leaf.Parent?.Name.LocalName == "clocks_event_reasons")
            return random.Next(2) == 0 ? "Active" : "Not Active";
        if (leaf.Parent?.Parent?.Name.LocalName != "gpu" || !Checked.TryGetValue((leaf.Parent.Name.LocalName, leaf.Name.LocalName), out var r))
            return null;
        var v = random.Next(7) switch
        {
            0 => r.Min,
            1 => r.Max,
            2 => 0,
            3 => r.Min - 1,
            4 => r.Max + 1,
            5 => -1e30,
            _ => 1e30,
        };
        var number = v.ToString("G", CultureInfo.InvariantCulture);
        return r.Unit.Length == 0 ? number : $"{number} {r.Unit}";
    }

    private static Dictionary<(string, string), (string, double, double)> Build()
    {
        var map = new Dictionary<(string, string), (string, double, double)>();
        foreach (var t in new[] { "gpu_temp", "gpu_temp_slow_threshold", "gpu_temp_max_threshold", "gpu_temp_max_gpu_threshold", "gpu_target_temperature", "memory_temp", "gpu_temp_max_mem_threshold", "gpu_temp_tlimit", "gpu_temp_slow_tlimit_threshold", "gpu_temp_max_tlimit_threshold", "gpu_temp_max_gpu_tlimit_threshold" })
            map[("temperature", t)] = ("C", -60, 200);
        foreach (var section in new[] { "gpu_power_readings", "power_readings" })
        {
            foreach (var d in new[] { "power_draw", "average_power_draw", "instant_power_draw" })
                map[(section, d)] = ("W", 0, 10_000);
            foreach (var l in new[] { "power_limit", "current_power_limit", "requested_power_limit", "default_power_limit", "enforced_power_limit", "min_power_limit", "max_power_limit" })
                map[(section, l)] = ("W", 1, 10_000);
        }

        foreach (var section in new[] { "clocks", "max_clocks" })
        {
            foreach (var clock in new[] { "graphics_clock", "sm_clock", "mem_clock" })
                map[(section, clock)] = ("MHz", 0, 50_000);
        }

        map[("utilization", "gpu_util")] = ("%", 0, 100);
        map[("utilization", "memory_util")] = ("%", 0, 100);
        map[("fb_memory_usage", "used")] = ("MiB", 0, 64L << 20);
        map[("fb_memory_usage", "total")] = ("MiB", 0, 64L << 20);
        map[("pci", "replay_counter")] = ("", 0, 1L << 53);
        map[("pci", "replay_rollover_counter")] = ("", 0, 1L << 53);
        return map;
    }
}
