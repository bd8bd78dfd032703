using System.Diagnostics;
using System.Globalization;
using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Nvml;

/// <summary>
/// Xid events NVML reports while `tpd doctor --watch` waits between its two samples. The kernel log says what
/// happened before the audit; this says what happens during it (an Xid 79 or 48 under load), with the GPU's PCI
/// address, as the same <see cref="KernelGpuEvent"/> the kernel-log scanner produces so one rule judges both.
/// </summary>
/// <param name="Events">Every Xid seen in the window, in order.</param>
/// <param name="WatchedDevices">Indices of the GPUs that accepted Xid registration.</param>
/// <param name="Unavailable">Why no event set could be made (old driver, no permission); null when watching worked.</param>
public sealed record XidWatchResult(IReadOnlyList<KernelGpuEvent> Events, IReadOnlyList<int> WatchedDevices, string? Unavailable);

internal static class XidWatch
{
    /// <summary>Longest single wait, so cancellation and the window's end are seen promptly.</summary>
    private const uint SliceMs = 250;

    public const string Source = "NVML Xid event (--watch)";

    public static XidWatchResult Collect(INvmlApi api, TimeSpan window, CancellationToken ct)
    {
        var events = new List<KernelGpuEvent>();
        var set = api.CreateXidEventSet(out var registered);
        if (set is not { } handle)
        {
            // No event set (old driver, no permission): the window still passes so the two samples stay apart.
            ct.WaitHandle.WaitOne(window);
            return new XidWatchResult(events, [], "NVML could not create an event set or register any GPU for Xid events (driver older than R260, or not permitted)");
        }

        try
        {
            var clock = Stopwatch.StartNew();
            while (!ct.IsCancellationRequested)
            {
                var left = window - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                    break;
                var slice = (uint)Math.Clamp(left.TotalMilliseconds, 1, SliceMs);
                if (api.WaitXid(handle, slice) is not { } e)
                    continue;
                var pci = e.Device >= 0 ? api.PciBusId(e.Device) : null;
                var xid = (int)Math.Min(e.Xid, int.MaxValue);
                var at = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
                events.Add(new KernelGpuEvent(KernelGpuEventKind.Xid, xid, pci, "reported by NVML",
                    $"GPU {(e.Device >= 0 ? e.Device.ToString(CultureInfo.InvariantCulture) : "?")} ({pci ?? "unknown PCI address"}): Xid {xid} at {at} s into the window",
                    Source));
            }
        }
        finally
        {
            api.FreeEventSet(handle);
        }

        return new XidWatchResult(events, registered, null);
    }
}
