using System.Net;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Tests.Doctor;

public class HostRulesTests
{
    private static IReadOnlyList<Finding> Run(HostFacts host) => DoctorRules.Evaluate(new DoctorInput { Host = host }).Findings;

    [Fact]
    public void Xid_79_is_an_error_with_the_catalog_action()
    {
        var line = "Mar  3 10:12:01 gpu7 kernel: [81234.5] NVRM: Xid (PCI:0000:3b:00): 79, pid=2211, GPU has fallen off the bus.";
        var f = Run(new HostFacts { KernelEvents = KernelLogScanner.Scan([line], "/var/log/kern.log") }).Single();
        f.Id.ShouldBe("host.xid.79");
        f.Severity.ShouldBe(Severity.Error);
        f.Subject.ShouldBe("GPU at 0000:3b:00");
        f.Evidence.Single().ShouldBe(new Evidence("/var/log/kern.log", line[(line.IndexOf("Mar", StringComparison.Ordinal))..]));
        f.Fix.ShouldContain("drain");
    }

    [Fact]
    public void Repeated_xids_on_one_gpu_are_one_finding_with_a_count()
    {
        var lines = Enumerable.Repeat("NVRM: Xid (PCI:0000:01:00): 13, pid=1, Graphics SM Warp Exception", 3);
        var f = Run(new HostFacts { KernelEvents = KernelLogScanner.Scan(lines) }).Single();
        f.Severity.ShouldBe(Severity.Warning);
        f.Title.ShouldBe("Xid 13 (Graphics engine exception) in the kernel log, 3 times");
    }

    [Fact]
    public void Fallen_off_the_bus_without_an_xid_is_an_error()
    {
        var line = "kernel: NVRM: The NVIDIA GPU 0000:41:00.0 (PCI ID: 10de:2330) installed in this system has fallen off the bus and is not responding to commands.";
        var f = Run(new HostFacts { KernelEvents = KernelLogScanner.Scan([line]) }).Single();
        f.Id.ShouldBe("host.gpu.fallen-off-bus");
        f.Subject.ShouldBe("GPU at 0000:41:00.0");
        f.Severity.ShouldBe(Severity.Error);
    }

    [Fact]
    public void Serving_port_on_all_interfaces_warns_and_loopback_is_silent()
    {
        var host = new HostFacts
        {
            ListeningSockets =
            [
                new(IPAddress.Any, 8000), new(IPAddress.Loopback, 30000), new(IPAddress.IPv6Any, 8080), new(IPAddress.Any, 22),
            ],
        };
        var findings = Run(host).Where(f => f.Id == "host.port.all-interfaces").ToList();
        findings.Select(f => f.Subject).ShouldBe(["port 8000", "port 8080"], ignoreOrder: true);
        findings.Single(f => f.Subject == "port 8080").Title.ShouldContain("[::]:8080");
    }

    [Fact]
    public void Weight_files_writable_by_group_or_others_warn_with_chmod()
    {
        var host = new HostFacts
        {
            WeightFiles =
            [
                new("/models/a.safetensors", (UnixFileMode)Convert.ToInt32("664", 8)),
                new("/models/b.safetensors", (UnixFileMode)Convert.ToInt32("440", 8)),
                new("/models/c.safetensors", (UnixFileMode)Convert.ToInt32("646", 8)),
            ],
        };
        var f = Run(host).Single();
        f.Id.ShouldBe("host.weights.writable");
        f.Evidence.ShouldBe([new Evidence("/models/a.safetensors", "664"), new Evidence("/models/c.safetensors", "646")]);
        f.Fix.ShouldStartWith("chmod 0440 /models/a.safetensors /models/c.safetensors");
    }

    [Fact]
    public void Old_kernel_warns()
    {
        var f = Run(new HostFacts { KernelRelease = "5.4.0-150-generic" }).Single();
        f.Id.ShouldBe("host.kernel.too-old");
        Run(new HostFacts { KernelRelease = "6.8.0-45-generic" }).ShouldBeEmpty();
        Run(new HostFacts { KernelRelease = "5.15.0-105-generic" }).ShouldBeEmpty();
    }
}
