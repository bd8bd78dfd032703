namespace Tpd.Telemetry.Host;

/// <summary>What the host probes found. Null members were not probed or not readable.</summary>
public sealed record HostFacts
{
    /// <summary>Linux? Persistence mode only exists there; null when unknown (treated as Linux, the serving OS).</summary>
    public bool? IsLinux { get; init; }

    /// <summary>Kernel release as /proc/sys/kernel/osrelease prints it ("5.15.0-105-generic").</summary>
    public string? KernelRelease { get; init; }

    /// <summary>Xid events and "fallen off the bus" lines found in the kernel log files.</summary>
    public IReadOnlyList<KernelGpuEvent>? KernelEvents { get; init; }

    /// <summary>Kernel log files that were read (evidence for "no Xid found").</summary>
    public IReadOnlyList<string>? KernelLogsRead { get; init; }

    public IReadOnlyList<ListeningSocket>? ListeningSockets { get; init; }

    /// <summary>IOMMU groups exist under /sys/kernel/iommu_groups (the IOMMU is on); null when /sys was not readable.</summary>
    public bool? IommuEnabled { get; init; }

    /// <summary>A container engine (docker, podman) is installed.</summary>
    public bool? ContainerEngineInstalled { get; init; }

    /// <summary>The NVIDIA Container Toolkit is installed (nvidia-ctk, nvidia-container-toolkit or nvidia-container-runtime).</summary>
    public bool? NvidiaContainerToolkitInstalled { get; init; }

    /// <summary>Ring sizes of the physical NICs that `ethtool -g` could read.</summary>
    public IReadOnlyList<NicRing>? NicRings { get; init; }

    /// <summary>Weight files whose permissions were checked, when a weights folder was given.</summary>
    public IReadOnlyList<WeightFileMode>? WeightFiles { get; init; }
}
