using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Tests.Host;

public class KernelLogScannerTests
{
    // Crafted in the formats the driver logs: syslog prefix, dmesg timestamps, Xid with and without pid/name fields.
    private static readonly string[] Log =
    [
        "Mar  3 10:11:59 gpu7 kernel: [81233.1] NVRM: GPU at PCI:0000:3b:00: GPU-5a2c1f3e-0000-0000-0000-000000000000",
        "Mar  3 10:12:01 gpu7 kernel: [81234.5] NVRM: Xid (PCI:0000:3b:00): 79, pid=2211, GPU has fallen off the bus.",
        "Mar  3 10:12:01 gpu7 kernel: [81234.5] NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.",
        "[ 1203.553211] NVRM: Xid (PCI:0000:00:1e): 31, pid=4021, name=python3, Ch 00000010, intr 10000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f1a_2c000000.",
        "[ 2001.000001] NVRM: Xid (PCI:0000:41:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.",
        "Mar  3 10:13:00 gpu7 systemd[1]: Started Session 12 of user ubuntu.",
        "Mar  3 10:13:05 gpu7 kernel: nvidia-nvlink: Nvlink Core is being initialized, major device number 234",
    ];

    [Fact]
    public void Scan_finds_xids_with_their_pci_address_and_detail()
    {
        var events = KernelLogScanner.Scan(Log, "/var/log/kern.log");
        var xids = events.Where(e => e.Kind == KernelGpuEventKind.Xid).ToList();
        xids.Select(e => (e.Xid, e.PciAddress)).ShouldBe([(79, "0000:3b:00"), (31, "0000:00:1e"), (48, "0000:41:00")]);
        xids[0].Detail.ShouldBe("pid=2211, GPU has fallen off the bus.");
        xids[2].Source.ShouldBe("/var/log/kern.log");
    }

    [Fact]
    public void Scan_counts_fallen_off_the_bus_lines_without_an_xid_separately()
    {
        var bus = KernelLogScanner.Scan(Log).Where(e => e.Kind == KernelGpuEventKind.FallenOffBus).ToList();
        bus.Count.ShouldBe(1);
        bus[0].PciAddress.ShouldBe("0000:3b:00.0");
    }

    [Fact]
    public void Scan_ignores_unrelated_lines() =>
        KernelLogScanner.Scan(["kernel: usb 1-1: new high-speed USB device", "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15"]).ShouldBeEmpty();

    [Theory]
    [InlineData(48, Severity.Error, XidAction.DrainAndReset)]
    [InlineData(63, Severity.Warning, XidAction.ResetGpu)]
    [InlineData(64, Severity.Error, XidAction.Rma)]
    [InlineData(79, Severity.Error, XidAction.DrainAndReset)]
    [InlineData(13, Severity.Warning, XidAction.RestartApplication)]
    [InlineData(31, Severity.Warning, XidAction.RestartApplication)]
    [InlineData(43, Severity.Warning, XidAction.RestartApplication)]
    [InlineData(45, Severity.Warning, XidAction.RestartApplication)]
    [InlineData(74, Severity.Error, XidAction.DrainAndReset)]
    [InlineData(92, Severity.Warning, XidAction.ResetGpu)]
    [InlineData(94, Severity.Warning, XidAction.ResetGpu)]
    [InlineData(95, Severity.Error, XidAction.DrainAndReset)]
    [InlineData(119, Severity.Error, XidAction.DrainAndReset)]
    [InlineData(120, Severity.Error, XidAction.DrainAndReset)]
    public void Catalog_maps_each_xid_to_severity_and_action(int xid, Severity severity, XidAction action)
    {
        var info = XidCatalog.Lookup(xid);
        info.Severity.ShouldBe(severity);
        info.Action.ShouldBe(action);
        info.Advice.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Catalog_sends_unknown_xids_to_nvidias_table()
    {
        var info = XidCatalog.Lookup(999);
        info.Severity.ShouldBe(Severity.Warning);
        info.Advice.ShouldContain("https://docs.nvidia.com/deploy/xid-errors/");
    }
}
