using System.Globalization;

namespace Tpd.Core.Models;

/// <summary>Parses parameter counts written the way people write them: 32B, 32e9, 1.5T, 300M, 8.03b.</summary>
public static class ParamCount
{
    /// <summary>Accepted forms, for help and error text.</summary>
    public const string Forms = "a number with an optional K, M, B or T suffix (32B, 1.5T, 300M) or in e-notation (32e9)";

    public static bool TryParse(string text, out double value)
    {
        value = 0;
        var t = text.Trim();
        if (t.Length == 0)
            return false;
        var multiplier = char.ToUpperInvariant(t[^1]) switch
        {
            'K' => 1e3,
            'M' => 1e6,
            'B' or 'G' => 1e9,
            'T' => 1e12,
            _ => 1.0,
        };
        if (multiplier != 1.0)
            t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || !double.IsFinite(number) || number <= 0)
            return false;
        value = number * multiplier;
        return true;
    }

    public static double Parse(string text) =>
        TryParse(text, out var v)
            ? v
            : throw new FormatException($"'{text}' is not a parameter count; write {Forms}.");

    /// <summary>
    /// The rounding unit of a published figure as written: "3.3B" is stated to 0.1B, "671B" to 1B.
    /// Used to judge a computed count against a rounded published one.
    /// </summary>
    public static double StatedPrecision(string text)
    {
        var t = text.Trim();
        var multiplier = char.ToUpperInvariant(t[^1]) switch
        {
            'K' => 1e3,
            'M' => 1e6,
            'B' or 'G' => 1e9,
            'T' => 1e12,
            _ => 1.0,
        };
        if (multiplier != 1.0)
            t = t[..^1];
        var dot = t.IndexOf('.', StringComparison.Ordinal);
        var decimals = dot < 0 ? 0 : t.Length - dot - 1;
        return Math.Pow(10, -decimals) * multiplier;
    }
}
