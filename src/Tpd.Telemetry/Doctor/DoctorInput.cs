using Tpd.Core.Units;
using Tpd.Telemetry.Host;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Doctor;

/// <summary>
/// Everything the rules look at, gathered by the I/O layer beforehand. One GPU sample gives state rules;
/// a second sample (<see cref="LaterGpus"/>, <see cref="Window"/> apart) adds growth rules (ECC counts,
/// clock-event counters, PCIe replays).
/// </summary>
public sealed record DoctorInput
{
    public IReadOnlyList<GpuSnapshot> Gpus { get; init; } = [];
    public IReadOnlyList<GpuSnapshot>? LaterGpus { get; init; }
    public Duration? Window { get; init; }

    /// <summary>Why no GPU data could be read (no driver, NVML missing, nvidia-smi failed); becomes a finding.</summary>
    public string? GpuSourceError { get; init; }

    /// <summary>
    /// Why a saved `nvidia-smi -q -x` file (--nvidia-smi-xml) could not be read: its path and the parser's message.
    /// A bad file is not a missing driver, so it gets its own finding and fix.
    /// </summary>
    public (string Path, string Error)? GpuFileError { get; init; }

    /// <summary>Xid events NVML reported between the two samples of --watch; null when not watched.</summary>
    public Nvml.XidWatchResult? WatchedXids { get; init; }

    public EngineWindow? Engine { get; init; }
    public HostFacts? Host { get; init; }
    public DoctorOptions Options { get; init; } = new();

    /// <summary>The most recent sample of each GPU.</summary>
    public IReadOnlyList<GpuSnapshot> Latest => LaterGpus ?? Gpus;
}
