using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Nvml;

/// <summary>Reads every GPU through NVML. Dispose to shut NVML down.</summary>
public interface INvmlReader : IDisposable
{
    IReadOnlyList<GpuSnapshot> ReadGpus();

    /// <summary>Blocks for <paramref name="window"/> (or until cancelled) collecting the Xid events NVML reports.</summary>
    XidWatchResult WatchXids(TimeSpan window, CancellationToken ct);
}

/// <summary>
/// The NVML reader. <see cref="TryOpen"/> never throws for a machine without NVIDIA GPUs: it returns null and
/// the reason, which the doctor reports as the host.no-nvidia-gpu finding.
/// </summary>
public sealed class NvmlReader : INvmlReader
{
    private readonly NvmlNative _native;

    private NvmlReader(NvmlNative native) => _native = native;

    public static NvmlReader? TryOpen(out string? error)
    {
        var native = NvmlNative.TryOpen(out error);
        return native is null ? null : new NvmlReader(native);
    }

    public IReadOnlyList<GpuSnapshot> ReadGpus() => NvmlSnapshotBuilder.Build(_native);

    public XidWatchResult WatchXids(TimeSpan window, CancellationToken ct) => XidWatch.Collect(_native, window, ct);

    public void Dispose() => _native.Dispose();
}
