namespace Tpd.Telemetry.Host;

/// <summary>Reads host facts. The Linux implementation reads files under a root folder, so tests point it at a temporary tree.</summary>
public interface IHostProbe
{
    bool IsLinux { get; }

    string? KernelRelease();

    /// <summary>Kernel log files that exist and are readable, with their lines.</summary>
    IEnumerable<(string Path, IEnumerable<string> Lines)> KernelLogs();

    IReadOnlyList<ListeningSocket> ListeningSockets();

    /// <summary>Null when /sys/kernel/iommu_groups cannot be read.</summary>
    bool? IommuEnabled();

    /// <summary>Whether any of the named executables exists in the usual system bin folders.</summary>
    bool AnyExecutable(params string[] names);

    /// <summary>Ring sizes of the physical NICs (those with a device under /sys/class/net), where `ethtool -g` can read them.</summary>
    IReadOnlyList<NicRing> NicRings();

    /// <summary>Weight files under a folder (recursively) with their permission bits; symbolic links report their target's mode.</summary>
    IReadOnlyList<WeightFileMode> WeightFiles(string folder);
}

/// <summary>Runs every probe once and gathers the answers; a probe that cannot read leaves its member null.</summary>
public static class HostFactsCollector
{
    public static HostFacts Collect(IHostProbe probe, string? weightsFolder = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var events = new List<KernelGpuEvent>();
        var read = new List<string>();
        foreach (var (path, lines) in probe.KernelLogs())
        {
            events.AddRange(KernelLogScanner.Scan(lines, path));
            read.Add(path);
        }

        return new HostFacts
        {
            IsLinux = probe.IsLinux,
            KernelRelease = probe.KernelRelease(),
            KernelEvents = events,
            KernelLogsRead = read,
            ListeningSockets = probe.ListeningSockets(),
            IommuEnabled = probe.IommuEnabled(),
            ContainerEngineInstalled = probe.AnyExecutable("docker", "podman", "containerd"),
            NvidiaContainerToolkitInstalled = probe.AnyExecutable("nvidia-ctk", "nvidia-container-toolkit", "nvidia-container-runtime"),
            NicRings = probe.NicRings(),
            WeightFiles = weightsFolder is null ? null : probe.WeightFiles(weightsFolder),
        };
    }
}
