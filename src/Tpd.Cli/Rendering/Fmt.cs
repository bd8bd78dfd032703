using System.Globalization;
using Tpd.Core.Units;

namespace Tpd.Cli.Rendering;

/// <summary>Human formatting: significant digits that fit the magnitude, units spelled out.</summary>
internal static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Bytes(DataSize s) => s.Bytes switch
    {
        >= 1e12 => (s.Bytes / 1e12).ToString("0.##", Inv) + " TB",
        >= 1e9 => (s.Bytes / 1e9).ToString("0.##", Inv) + " GB",
        >= 1e6 => (s.Bytes / 1e6).ToString("0.##", Inv) + " MB",
        >= 1e3 => (s.Bytes / 1e3).ToString("0.##", Inv) + " kB",
        _ => s.Bytes.ToString("0", Inv) + " B",
    };

    public static string Time(Duration d) => d.Seconds switch
    {
        >= 10 => d.Seconds.ToString("0.#", Inv) + " s",
        >= 1 => d.Seconds.ToString("0.00", Inv) + " s",
        >= 0.01 => d.Milliseconds.ToString("0.#", Inv) + " ms",
        >= 0.001 => d.Milliseconds.ToString("0.00", Inv) + " ms",
        _ => d.Microseconds.ToString("0.#", Inv) + " µs",
    };

    public static string Count(double v) => v switch
    {
        >= 1e12 => (v / 1e12).ToString("0.##", Inv) + "T",
        >= 1e9 => (v / 1e9).ToString("0.##", Inv) + "B",
        >= 1e6 => (v / 1e6).ToString("0.##", Inv) + "M",
        _ => v.ToString("N0", Inv),
    };

    public static string Rate(double tokensPerSecond) => tokensPerSecond >= 100
        ? tokensPerSecond.ToString("N0", Inv)
        : tokensPerSecond.ToString("0.#", Inv);

    public static string Dollars(double d) => double.IsNaN(d) ? "n/a" : d switch
    {
        >= 100 => "$" + d.ToString("N0", Inv),
        >= 1 => "$" + d.ToString("0.00", Inv),
        >= 0.01 => "$" + d.ToString("0.000", Inv),
        _ => "$" + d.ToString("0.#####", Inv),
    };

    public static string Int(long v) => v.ToString("N0", Inv);

    public static string Num(double v, string format = "0.##") => v.ToString(format, Inv);
}
