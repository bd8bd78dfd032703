using System.Globalization;
using System.Text.RegularExpressions;

namespace Tpd.Telemetry.Host;

/// <summary>Reads the leading dotted number of driver, CUDA and kernel version strings ("535.54.03", "12.2", "5.15.0-105-generic").</summary>
public static partial class VersionText
{
    [GeneratedRegex(@"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?")]
    private static partial Regex Leading();

    public static Version? Parse(string? text)
    {
        if (text is null)
            return null;
        var m = Leading().Match(text);
        if (!m.Success)
            return null;
        // A part too long for an int is no version any driver or kernel has written.
        static int Part(Group g) => !g.Success ? 0 : int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;
        if (Part(m.Groups[1]) < 0 || Part(m.Groups[2]) < 0 || Part(m.Groups[3]) < 0)
            return null;
        return m.Groups[3].Success
            ? new Version(Part(m.Groups[1]), Part(m.Groups[2]), Part(m.Groups[3]))
            : new Version(Part(m.Groups[1]), Part(m.Groups[2]));
    }
}
