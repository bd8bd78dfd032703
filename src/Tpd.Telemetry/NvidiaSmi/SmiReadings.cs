using System.Xml.Linq;
using Tpd.Core.Units;

namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// Reads one GPU's values with their unit and range checked. A marker of absence ("N/A") is null, as in
/// <see cref="SmiValue"/>; a value that is present but unreadable, in another unit or out of range is null
/// too, and is recorded in <see cref="Invalid"/> so that the doctor can say so instead of staying silent.
/// </summary>
internal sealed class SmiReadings
{
    // Units nvidia-smi prints, with the factor to the unit each range is in; a bare number is taken in that unit.
    private static readonly Dictionary<string, double> CelsiusUnits = new() { ["C"] = 1, [""] = 1 };
    private static readonly Dictionary<string, double> WattUnits = new() { ["W"] = 1, [""] = 1, ["mW"] = 1e-3, ["kW"] = 1e3 };
    private static readonly Dictionary<string, double> MegahertzUnits = new() { ["MHz"] = 1, [""] = 1 };
    private static readonly Dictionary<string, double> PercentUnits = new() { ["%"] = 1, [""] = 1 };
    private static readonly Dictionary<string, double> MebibyteUnits = new() { ["MiB"] = 1, [""] = 1, ["GiB"] = 1024, ["KiB"] = 1.0 / 1024, ["B"] = 1.0 / (1 << 20), ["bytes"] = 1.0 / (1 << 20), ["MB"] = 1e6 / (1 << 20), ["GB"] = 1e9 / (1 << 20) };
    private static readonly Dictionary<string, double> MicrosecondUnits = new() { ["us"] = 1, ["µs"] = 1, ["ns"] = 1e-3, ["ms"] = 1e3, ["s"] = 1e6, ["sec"] = 1e6 };
    private static readonly Dictionary<string, double> BareUnits = new() { [""] = 1 };
    private static readonly Dictionary<string, double> LaneUnits = new() { ["x"] = 1, [""] = 1 };

    private readonly List<InvalidReading> _invalid = [];

    public IReadOnlyList<InvalidReading> Invalid => _invalid;

    public double? Celsius(XElement? parent, string name) => Number(parent, name, SmiLimits.Celsius, CelsiusUnits);

    /// <summary>Power in watts; <paramref name="range"/> tells a draw (may be 0) from a limit (at least 1 W).</summary>
    public Power? Watts(XElement? parent, string name, ReadingRange range) => Number(parent, name, range, WattUnits) is { } w ? Power.FromWatts(w) : null;

    public double? Megahertz(XElement? parent, string name) => Number(parent, name, SmiLimits.Megahertz, MegahertzUnits);

    public double? Percent(XElement? parent, string name) => Number(parent, name, SmiLimits.Percent, PercentUnits);

    public DataSize? Memory(XElement? parent, string name) => Number(parent, name, SmiLimits.MemoryMib, MebibyteUnits) is { } m ? DataSize.FromMiB(m) : null;

    public long? Count(XElement? parent, string name) => Whole(parent, name, SmiLimits.Count, BareUnits) is { } v ? (long)v : null;

    public int? PcieGeneration(XElement? parent, string name) => Whole(parent, name, SmiLimits.PcieGeneration, BareUnits) is { } v ? (int)v : null;

    public int? PcieWidth(XElement? parent, string name) => Whole(parent, name, SmiLimits.PcieWidth, LaneUnits) is { } v ? (int)v : null;

    public Duration? Microseconds(XElement? parent, string name) =>
        Number(parent, name, SmiLimits.CounterMicroseconds, MicrosecondUnits) is { } us ? Duration.FromMicroseconds(us) : null;

    /// <summary>A version ("535.54.03", "12.2", "9.0"): its text when it reads as one, else null and flagged.</summary>
    public string? Version(string field, string? text)
    {
        if (text is null || Host.VersionText.Parse(text) is not null)
            return text;
        Flag(field, text, "a version such as 535.54.03");
        return null;
    }

    /// <summary>The reading converted by its unit's factor and range-checked; a unit not in <paramref name="units"/> is flagged like a value out of range.</summary>
    private double? Number(XElement? parent, string name, ReadingRange range, Dictionary<string, double> units)
    {
        if (Read(parent, name) is not { } r)
            return null;
        return Check(parent, name, r.Text, units.TryGetValue(r.Unit, out var factor) ? r.Value * factor : null, range);
    }

    private double? Whole(XElement? parent, string name, ReadingRange range, Dictionary<string, double> units)
    {
        if (Number(parent, name, range, units) is not { } v)
            return null;
        if (v == Math.Floor(v))
            return v;
        Flag(parent, name, v.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "a whole number from " + range);
        return null;
    }

    /// <summary>The leaf's number and unit; null when absent or a marker of absence, and flagged when present but not a number.</summary>
    private (double Value, string Unit, string Text)? Read(XElement? parent, string name)
    {
        var leaf = parent?.Element(name);
        if (leaf is null || leaf.HasElements || SmiValue.Text(leaf.Value) is not { } text)
            return null;
        if (SmiValue.NumberWithUnit(text) is { } n)
            return (n.Value, n.Unit, text);
        Flag(parent, name, text, "a number");
        return null;
    }

    private double? Check(XElement? parent, string name, string text, double? value, ReadingRange range)
    {
        if (value is { } v && range.Contains(v))
            return v;
        Flag(parent, name, text, range.ToString());
        return null;
    }

    private void Flag(XElement? parent, string name, string raw, string expected) => Flag($"{parent!.Name.LocalName}.{name}", raw, expected);

    private void Flag(string field, string raw, string expected) =>
        _invalid.Add(new InvalidReading(field, raw.Length <= 40 ? raw : raw[..37] + "...", expected));
}
