using System.Text.RegularExpressions;

namespace Tpd.Telemetry.Host;

public enum KernelGpuEventKind
{
    Xid,

    /// <summary>"has fallen off the bus" logged without an Xid line (older drivers, or the bus dropped before the Xid).</summary>
    FallenOffBus,
}

/// <summary>One NVIDIA driver line from a kernel log.</summary>
public sealed record KernelGpuEvent(KernelGpuEventKind Kind, int? Xid, string? PciAddress, string Detail, string Line, string? Source = null);

/// <summary>
/// Finds NVIDIA driver failures in kernel log text (/var/log/kern.log, syslog, messages, or `dmesg` output):
/// "NVRM: Xid (PCI:0000:3b:00): 79, pid=..., GPU has fallen off the bus." and lines saying a GPU
/// "has fallen off the bus" without an Xid.
/// </summary>
public static partial class KernelLogScanner
{
    [GeneratedRegex(@"NVRM: Xid \((?:PCI:)?(?<pci>[0-9A-Fa-f:.]+)\):\s*(?<xid>\d+)\s*,?\s*(?<detail>.*)$")]
    private static partial Regex XidLine();

    [GeneratedRegex(@"(?<pci>[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\.[0-7])?)")]
    private static partial Regex PciAddress();

    public static IReadOnlyList<KernelGpuEvent> Scan(IEnumerable<string> lines, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var events = new List<KernelGpuEvent>();
        foreach (var line in lines)
        {
            var m = XidLine().Match(line);
            if (m.Success)
            {
                events.Add(new KernelGpuEvent(KernelGpuEventKind.Xid, int.Parse(m.Groups["xid"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    m.Groups["pci"].Value, m.Groups["detail"].Value.Trim(), line.Trim(), source));
                continue;
            }

            if (line.Contains("fallen off the bus", StringComparison.OrdinalIgnoreCase) && line.Contains("NVRM", StringComparison.Ordinal))
            {
                var pci = PciAddress().Match(line);
                events.Add(new KernelGpuEvent(KernelGpuEventKind.FallenOffBus, null, pci.Success ? pci.Groups["pci"].Value : null,
                    "GPU has fallen off the bus", line.Trim(), source));
            }
        }

        return events;
    }
}
