using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Nvml;

/// <summary>Reads every GPU through NVML. Dispose to shut NVML down.</summary>
public interface INvmlReader : IDisposable
{
    IReadOnlyList<GpuSnapshot> ReadGpus();
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

    public void Dispose() => _native.Dispose();
}
