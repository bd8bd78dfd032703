using System.Globalization;
using Tpd.Core.Units;

namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// Reads nvidia-smi's human-formatted values ("35.06 W", "16x", "9840338777 us", "24576 MiB").
/// Markers of absence become null, never zero: a board that cannot report ECC has no ECC errors only in
/// the sense that nobody counted them.
/// </summary>
internal static class SmiValue
{
    /// <summary>Texts nvidia-smi prints instead of a value (seen in the fixtures from R418 to R595).</summary>
    private static readonly string[] MissingMarkers =
    [
        "N/A", "[N/A]", "Not Supported", "[Not Supported]", "Requested functionality has been deprecated",
        "Unknown Error", "[Unknown Error]", "Insufficient Permissions", "[Insufficient Permissions]", "None",
    ];

    public static bool IsMissing(string text) =>
        text.Length == 0 || MissingMarkers.Any(m => string.Equals(text, m, StringComparison.OrdinalIgnoreCase));

    public static string? Text(string? raw)
    {
        var t = raw?.Trim();
        return t is null || IsMissing(t) ? null : t;
    }

    /// <summary>The leading number and the unit after it ("35.06 W" -> 35.06, "W"; "16x" -> 16, "x").</summary>
    public static (double Value, string Unit)? NumberWithUnit(string? raw)
    {
        var t = Text(raw);
        if (t is null)
            return null;
        var end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // 'e' only counts as an exponent after a digit and before a digit or sign.
            if (t[end] is 'e' or 'E' && !(end > 0 && char.IsAsciiDigit(t[end - 1]) && end + 1 < t.Length && (char.IsAsciiDigit(t[end + 1]) || t[end + 1] is '-' or '+')))
                break;
            end++;
        }

        if (end == 0 || !double.TryParse(t.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            return null;
        return (v, t[end..].Trim());
    }

    public static double? Number(string? raw) => NumberWithUnit(raw)?.Value;

    public static long? Count(string? raw) => Number(raw) is { } v ? (long)Math.Round(v) : null;

    public static int? Int(string? raw) => Number(raw) is { } v ? (int)Math.Round(v) : null;

    public static Power? Power(string? raw) => NumberWithUnit(raw) switch
    {
        ({ } v, "W" or "") => Tpd.Core.Units.Power.FromWatts(v),
        ({ } v, "mW") => Tpd.Core.Units.Power.FromWatts(v / 1e3),
        ({ } v, "kW") => Tpd.Core.Units.Power.FromKilowatts(v),
        _ => null,
    };

    public static DataSize? Size(string? raw) => NumberWithUnit(raw) switch
    {
        ({ } v, "MiB" or "") => DataSize.FromMiB(v),
        ({ } v, "GiB") => DataSize.FromGiB(v),
        ({ } v, "KiB") => DataSize.FromKiB(v),
        ({ } v, "B" or "bytes") => DataSize.FromBytes(v),
        ({ } v, "MB") => DataSize.FromMB(v),
        ({ } v, "GB") => DataSize.FromGB(v),
        _ => null,
    };

    public static Duration? Time(string? raw) => NumberWithUnit(raw) switch
    {
        ({ } v, "us" or "µs") => Duration.FromMicroseconds(v),
        ({ } v, "ns") => Duration.FromSeconds(v / 1e9),
        ({ } v, "ms") => Duration.FromMilliseconds(v),
        ({ } v, "s" or "sec") => Duration.FromSeconds(v),
        _ => null,
    };

    /// <summary>Enabled/Disabled, Yes/No, Active/Not Active, On/Off.</summary>
    public static bool? Flag(string? raw) => Text(raw)?.ToUpperInvariant() switch
    {
        "ENABLED" or "YES" or "ACTIVE" or "ON" or "TRUE" => true,
        "DISABLED" or "NO" or "NOT ACTIVE" or "OFF" or "FALSE" => false,
        _ => null,
    };
}
