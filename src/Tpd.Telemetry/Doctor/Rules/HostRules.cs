using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>Host rules: GPU driver failures in the kernel log, serving ports open on every interface, writable weights, no GPU source.</summary>
internal static class HostRules
{
    public static IEnumerable<Finding> NoGpuSource(string error)
    {
        yield return new Finding
        {
            Id = "host.no-nvidia-gpu",
            Severity = Severity.Error,
            Subject = "host",
            Title = "no NVIDIA GPU data: the driver or its management library could not be used",
            Evidence = [new("error", error)],
            Fix = "install the NVIDIA driver (`nvidia-smi` must work), or audit offline with --nvidia-smi-xml FILE",
        };
    }

    public static IEnumerable<Finding> UnreadableSmiFile(string path, string error)
    {
        yield return new Finding
        {
            Id = "input.nvidia-smi-xml.unreadable",
            Severity = Severity.Error,
            Subject = path,
            Title = "the saved nvidia-smi file is not complete `nvidia-smi -q -x` XML; no GPU in it was audited",
            Evidence = [new("file", path), new("error", error)],
            Fix = $"save it again on the GPU host with `nvidia-smi -q -x > {Path.GetFileName(path)}` (the XML form, not the text form of `nvidia-smi -q`; copy the whole file)",
        };
    }

    /// <summary>Xid and fallen-off-the-bus events, one finding per kind, Xid and GPU; <paramref name="where"/> says where they were seen.</summary>
    public static IEnumerable<Finding> GpuEvents(IEnumerable<KernelGpuEvent> events, string where)
    {
        foreach (var group in events.GroupBy(e => (e.Kind, e.Xid, e.PciAddress)))
        {
            var first = group.First();
            var count = group.Count();
            var pci = first.PciAddress ?? "unknown PCI address";
            if (first.Kind == KernelGpuEventKind.FallenOffBus)
            {
                yield return new Finding
                {
                    Id = "host.gpu.fallen-off-bus",
                    Severity = Severity.Error,
                    Subject = $"GPU at {pci}",
                    Title = $"the GPU has fallen off the bus ({count} line{(count == 1 ? "" : "s")} {where})",
                    Evidence = [new(first.Source ?? "kernel log", first.Line)],
                    Fix = XidCatalog.Lookup(79).Advice,
                };
                continue;
            }

            var info = XidCatalog.Lookup(first.Xid!.Value);
            yield return new Finding
            {
                Id = $"host.xid.{info.Xid}",
                Severity = info.Severity,
                Subject = $"GPU at {pci}",
                Title = $"Xid {info.Xid} ({info.Name}) {where}, {count} time{(count == 1 ? "" : "s")}",
                Evidence = [new(first.Source ?? "kernel log", first.Line)],
                Fix = info.Advice,
                Note = $"action: {info.Action}; catalog: https://docs.nvidia.com/deploy/xid-errors/",
            };
        }
    }

    public static IEnumerable<Finding> XidWatch(Nvml.XidWatchResult watch)
    {
        if (watch.Unavailable is { } why)
        {
            yield return new Finding
            {
                Id = "doctor.xid-watch.unavailable",
                Severity = Severity.Info,
                Subject = "driver",
                Title = "Xid events were not watched during the window; only the two samples were compared",
                Evidence = [new("reason", why)],
                Fix = "run as root or update the driver, and check the kernel log for Xid lines (`sudo dmesg | grep -i xid`)",
            };
        }

        foreach (var f in GpuEvents(watch.Events, "during the watch window"))
            yield return f;
    }

    // driverUsable is false when no NVIDIA driver answered: the missing-driver error is the finding then, and the
    // container toolkit, which only matters on a GPU host, is not raised beside it.
    public static IEnumerable<Finding> Evaluate(HostFacts host, DoctorOptions o, bool driverUsable = true)
    {
        foreach (var f in GpuEvents(host.KernelEvents ?? [], "in the kernel log"))
            yield return f;

        foreach (var s in (host.ListeningSockets ?? []).Where(s => s.IsAllInterfaces && o.ServingPorts.Contains(s.Port)).DistinctBy(s => s.Port))
        {
            yield return new Finding
            {
                Id = "host.port.all-interfaces",
                Severity = Severity.Warning,
                Subject = $"port {s.Port}",
                Title = $"a serving port listens on every interface ({s})",
                Evidence = [new("listening socket", s.ToString())],
                Fix = $"bind to 127.0.0.1 or a private address (vLLM/SGLang --host 127.0.0.1), or allow only known ranges: `sudo ufw allow from 10.0.0.0/8 to any port {s.Port} proto tcp && sudo ufw deny {s.Port}/tcp`",
                Note = "the engine's API has no authentication by default (vLLM needs --api-key)",
            };
        }

        if (driverUsable && host.ContainerEngineInstalled is true && host.NvidiaContainerToolkitInstalled is false)
        {
            yield return new Finding
            {
                Id = "host.container-toolkit.missing",
                Severity = Severity.Warning,
                Subject = "host",
                Title = "a container engine is installed without the NVIDIA Container Toolkit: containers will not see the GPUs",
                Evidence = [new("container engine", "installed"), new("nvidia-ctk / nvidia-container-runtime", "not found in /usr/bin, /usr/local/bin, /usr/sbin, /bin, /sbin")],
                Fix = "sudo apt-get install -y nvidia-container-toolkit && sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker",
                Note = "the seed: \"For containerized environments, NVIDIA Container Toolkit must be installed\"",
            };
        }

        if (host.IommuEnabled is false)
        {
            yield return new Finding
            {
                Id = "host.iommu.off",
                Severity = Severity.Info,
                Subject = "host",
                Title = "no IOMMU groups: the IOMMU is off in firmware or on the kernel command line",
                Evidence = [new("/sys/kernel/iommu_groups", "empty")],
                Fix = "enable VT-d / AMD-Vi in the BIOS and boot with intel_iommu=on iommu=pt (or amd_iommu=on iommu=pt) when GPUs are passed to VMs or GPUDirect is used",
                Note = "bare-metal serving runs without it; iommu=pt keeps DMA at full speed when it is on",
            };
        }

        foreach (var nic in (host.NicRings ?? []).Where(n => n.CanGrow))
        {
            var rx = NicRing.Target(nic.RxMax);
            var tx = NicRing.Target(nic.TxMax);
            yield return new Finding
            {
                Id = "host.nic.ring-small",
                Severity = Severity.Info,
                Subject = $"NIC {nic.Interface}",
                Title = $"{nic.Interface}'s rings are below what the NIC allows (rx {nic.Rx?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"}, tx {nic.Tx?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"}): bursts between nodes can drop packets",
                Evidence = [new("ethtool -g", nic.ToString())],
                Fix = $"sudo ethtool -G {nic.Interface} rx {rx} tx {tx} (persist it in the interface's network config)",
                Note = "matters when several nodes serve one request (tensor/pipeline parallel across hosts, disaggregated prefill); a single-host replica is not affected",
            };
        }

        var writable = (host.WeightFiles ?? []).Where(f => f.WritableByOthers).ToList();
        if (writable.Count > 0)
        {
            yield return new Finding
            {
                Id = "host.weights.writable",
                Severity = Severity.Warning,
                Subject = "weights",
                Title = $"{writable.Count} weight file{(writable.Count == 1 ? " is" : "s are")} writable by someone other than the owner",
                Evidence = writable.Take(5).Select(f => new Evidence(f.Path, f.Octal)).ToList(),
                Fix = $"chmod 0440 {string.Join(' ', writable.Take(5).Select(f => Quote(f.Path)))}{(writable.Count > 5 ? " ..." : "")}   (0400 when only the owner serves them)",
                Note = "anyone who can write the tensors can change what the model says",
            };
        }
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
