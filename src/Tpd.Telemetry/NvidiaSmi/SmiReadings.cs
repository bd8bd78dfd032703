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
    private readonly List<InvalidReading> _invalid = [];

    public IReadOnlyList<InvalidReading> Invalid => _invalid;

    public double? Celsius(XElement? parent, string name) => Number(parent, name, SmiLimits.Celsius, ["C"]);

    public Power? Watts(XElement? parent, string name, ReadingRange range)
    {
        // nvidia-smi prints W; mW and kW are read for robustness, and the range is checked in watts.
        if (Read(parent, name) is not { } r)
            return null;
        double? watts = r.Unit switch
        {
            "W" or "" => r.Value,
            "mW" => r.Value / 1e3,
            "kW" => r.Value * 1e3,
            _ => null,
        };
        return Check(parent, name, r.Text, watts, range) is { } w ? Power.FromWatts(w) : null;
    }

    /// <summary>A version ("535.54.03", "12.2", "9.0"): its text when it reads as one, else null and flagged.</summary>
    public string? Version(string field, string? text)
    {
        if (text is null || Host.VersionText.Parse(text) is not null)
            return text;
        _invalid.Add(new InvalidReading(field, text.Length <= 40 ? text : text[..37] + "...", "a version such as 535.54.03"));
        return null;
    }

    public double? Megahertz(XElement? parent, string name) => Number(parent, name, SmiLimits.Megahertz, ["MHz"]);

    public double? Percent(XElement? parent, string name) => Number(parent, name, SmiLimits.Percent, ["%"]);

    public DataSize? Memory(XElement? parent, string name)
    {
        if (Read(parent, name) is not { } r)
            return null;
        double? mib = r.Unit switch
        {
            "MiB" or "" => r.Value,
            "GiB" => r.Value * 1024,
            "KiB" => r.Value / 1024,
            "B" or "bytes" => r.Value / (1 << 20),
            "MB" => r.Value * 1e6 / (1 << 20),
            "GB" => r.Value * 1e9 / (1 << 20),
            _ => null,
        };
        return Check(parent, name, r.Text, mib, SmiLimits.MemoryMib) is { } m ? DataSize.FromMiB(m) : null;
    }

    public long? Count(XElement? parent, string name) => Whole(parent, name, SmiLimits.Count, []) is { } v ? (long)v : null;

    public int? PcieGeneration(XElement? parent, string name) => Whole(parent, name, SmiLimits.PcieGeneration, []) is { } v ? (int)v : null;

    public int? PcieWidth(XElement? parent, string name) => Whole(parent, name, SmiLimits.PcieWidth, ["x"]) is { } v ? (int)v : null;

    public Duration? Microseconds(XElement? parent, string name)
    {
        if (Read(parent, name) is not { } r)
            return null;
        double? us = r.Unit switch
        {
            "us" or "µs" => r.Value,
            "ns" => r.Value / 1e3,
            "ms" => r.Value * 1e3,
            "s" or "sec" => r.Value * 1e6,
            _ => null,
        };
        return Check(parent, name, r.Text, us, SmiLimits.CounterMicroseconds) is { } v ? Duration.FromMicroseconds(v) : null;
    }

    private double? Number(XElement? parent, string name, ReadingRange range, string[] units)
    {
        if (Read(parent, name) is not { } r)
            return null;
        return Check(parent, name, r.Text, r.Unit.Length == 0 || units.Contains(r.Unit) ? r.Value : null, range);
    }

    private double? Whole(XElement? parent, string name, ReadingRange range, string[] units)
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

    private void Flag(XElement? parent, string name, string raw, string expected) =>
        _invalid.Add(new InvalidReading($"{parent!.Name.LocalName}.{name}", raw.Length <= 40 ? raw : raw[..37] + "...", expected));
}
