namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>PCIe link width and generation, device faster than its slot, replay counter growth.</summary>
internal static class PcieRules
{
    /// <summary>
    /// Cloud GPU SKUs whose VMs expose an x8 link by design (the T4 and A10G fixtures, both AWS Nitro VMs at
    /// bus 00:1E.0, show x8 of x16); nothing on the instance can widen it.
    /// </summary>
    private static readonly string[] CloudX8Skus = ["Tesla T4", "NVIDIA A10G", "NVIDIA L4", "NVIDIA A10"];

    public static IEnumerable<Finding> Evaluate(GpuContext c)
    {
        var l = c.Now.Pcie;
        var idx = c.Now.Index;

        if (l.CurrentWidth is { } w && l.MaxWidth is { } mw && w < mw)
        {
            var cloud = c.Now.Name is { } n && CloudX8Skus.Contains(n, StringComparer.OrdinalIgnoreCase);
            yield return new Finding
            {
                Id = "gpu.pcie.width-below-max",
                Severity = cloud ? Severity.Info : Severity.Warning,
                Subject = c.Subject,
                Title = $"PCIe link runs x{w} of x{mw}",
                Evidence = [new("pci.link_widths.current_link_width", $"{w}x"), new("pci.link_widths.max_link_width", $"{mw}x")],
                Fix = cloud
                    ? "nothing to do on the instance: this cloud SKU's VM exposes an x8 link"
                    : $"reseat the card in an x{mw} slot (check the board manual for lane sharing between slots); verify with `nvidia-smi -i {idx} -q -d PCIE`",
                Note = cloud
                    ? "typical of cloud VMs (e.g. AWS g4dn T4 and g5 A10G report x8 of x16); half the host bandwidth slows model loading and host offload, not decode from HBM"
                    : "half the host bandwidth slows model loading, CPU offload and tensor parallelism over PCIe; decode from HBM is unaffected",
            };
        }

        // Idle links drop to Gen1 to save power (every idle fixture shows current_link_gen 1), so only a busy GPU counts.
        if (c.Busy && l.CurrentGen is { } g && l.MaxGen is { } mg && g < mg)
        {
            yield return new Finding
            {
                Id = "gpu.pcie.gen-below-max",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"PCIe link runs Gen{g} of Gen{mg} while the GPU is busy",
                Evidence = [new("pci.pcie_gen.current_link_gen", g.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("pci.pcie_gen.max_link_gen", mg.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. c.BusyEvidence()],
                Fix = $"check BIOS PCIe speed settings and the riser; verify with `nvidia-smi -i {idx} -q -d PCIE` under load",
            };
        }

        if (l.DeviceMaxGen is { } dg && l.HostMaxGen is { } hg && dg > hg)
        {
            yield return new Finding
            {
                Id = "gpu.pcie.slot-slower-than-device",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"the GPU supports Gen{dg} but the slot only Gen{hg}",
                Evidence = [new("pci.pcie_gen.max_device_link_gen", dg.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("pci.pcie_gen.max_host_link_gen", hg.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                Fix = "move the card to a CPU-attached slot of the GPU's generation, or accept slower loading and offload",
            };
        }

        if (c.Before?.Pcie.ReplayCounter is { } r0 && l.ReplayCounter is { } r1 && r1 > r0)
        {
            yield return new Finding
            {
                Id = "gpu.pcie.replays-growing",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"PCIe replays grew by {r1 - r0} during the window (link errors being retried)",
                Evidence = [new("pci.replay_counter (before)", r0.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("pci.replay_counter (after)", r1.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                Fix = "reseat the card and riser, check the slot and cabling; a steadily growing count precedes Xid 79 (fallen off the bus)",
            };
        }
        else if (c.Before is null && l.ReplayCounter is > 0)
        {
            yield return new Finding
            {
                Id = "gpu.pcie.replays",
                Severity = Severity.Info,
                Subject = c.Subject,
                Title = $"{l.ReplayCounter} PCIe replays since boot; sample twice (--watch) to see whether they grow",
                Evidence = [new("pci.replay_counter", l.ReplayCounter.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                Fix = $"nvidia-smi -i {idx} -q -d PCIE",
            };
        }
    }
}
