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
        static int Part(Group g) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        return m.Groups[3].Success
            ? new Version(Part(m.Groups[1]), Part(m.Groups[2]), Part(m.Groups[3]))
            : new Version(Part(m.Groups[1]), Part(m.Groups[2]));
    }
}
