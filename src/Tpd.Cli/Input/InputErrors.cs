using System.Globalization;
using Tpd.Core.Units;

namespace Tpd.Cli.Input;

/// <summary>
/// Reads option values and collects every problem, so one run reports all of them at once. Each message
/// quotes the bad value, says what is allowed and how to fix it.
/// </summary>
public sealed class InputErrors
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> All => _errors;

    public bool Any => _errors.Count > 0;

    public void Add(string message) => _errors.Add(message);

    public void AddRange(IEnumerable<string> messages) => _errors.AddRange(messages);

    public int? Int(string option, string? text, int min, int max, string hint)
    {
        if (text is null)
            return null;
        if (int.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
            return v;
        Add($"{option} '{text}' is not a whole number from {min:N0} to {max:N0}; {hint}");
        return null;
    }

    public double? Double(string option, string? text, double min, double max, string hint)
    {
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= min && v <= max)
            return v;
        Add($"{option} '{text}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}; {hint}");
        return null;
    }

    /// <summary>SLOs such as "ttft&lt;=2s, p90 tpot&lt;=50ms" (Tpd.Core.Measurement.SloSpec syntax).</summary>
    public Core.Measurement.SloSpec? Slo(string option, string? text)
    {
        if (text is null)
            return null;
        try
        {
            return Core.Measurement.SloSpec.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            Add($"{option} '{text}': {e.Message}");
            return null;
        }
    }

    /// <summary>Sizes like "192GB", "80 GiB", "1.5e9" (bytes). GB is 1e9 bytes, GiB 2^30.</summary>
    public DataSize? Size(string option, string? text)
    {
        if (text is null)
            return null;
        if (Sizes.TryParse(text, out var size) && size > DataSize.Zero)
            return size;
        Add($"{option} '{text}' is not a size; write a number with a unit: 192GB, 80GiB, 141GB (GB = 1e9 bytes, GiB = 2^30)");
        return null;
    }
}

public static class Sizes
{
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("tib", SizeConstants.TiB), ("gib", SizeConstants.GiB), ("mib", SizeConstants.MiB), ("kib", SizeConstants.KiB),
        ("tb", SizeConstants.TB), ("gb", SizeConstants.GB), ("mb", SizeConstants.MB), ("kb", SizeConstants.KB), ("b", 1),
    ];

    public static bool TryParse(string text, out DataSize size)
    {
        var t = text.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        foreach (var (suffix, factor) in Units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            {
                size = DataSize.FromBytes(v * factor);
                return true;
            }
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes) && double.IsFinite(bytes))
        {
            size = DataSize.FromBytes(bytes);
            return true;
        }

        size = default;
        return false;
    }
}
