using System.Net;
using System.Net.Sockets;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Tests.Host;

public sealed class LinuxHostProbeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tpd-host-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string rel, string text)
    {
        var path = Path.Combine(_root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Collect_reads_kernel_release_logs_and_sockets_under_a_root()
    {
        Write("proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
        Write("var/log/kern.log", "Mar  3 10:12:01 gpu7 kernel: NVRM: Xid (PCI:0000:3b:00): 79, pid=2211, GPU has fallen off the bus.\n");
        Write("var/log/syslog", "Mar  3 10:00:00 gpu7 systemd[1]: Started.\n");
        Write("proc/net/tcp", "  sl  local_address rem_address   st\n   0: 00000000:1F40 00000000:0000 0A 00000000:00000000\n");

        var facts = HostFactsCollector.Collect(new LinuxHostProbe(_root));
        facts.KernelRelease.ShouldBe("5.4.0-150-generic");
        facts.KernelLogsRead.ShouldBe(["/var/log/kern.log", "/var/log/syslog"]);
        facts.KernelEvents.ShouldNotBeNull().Single().Xid.ShouldBe(79);
        facts.ListeningSockets.ShouldBe([new ListeningSocket(IPAddress.Any, 8000)]);
        facts.WeightFiles.ShouldBeNull();

        var ids = DoctorRules.Evaluate(new DoctorInput { Host = facts }).Findings.Select(f => f.Id).ToList();
        ids.ShouldBe(["host.xid.79", "host.kernel.too-old", "host.port.all-interfaces"]);
    }

    [Fact]
    public void Collect_on_an_empty_root_reports_nothing_rather_than_failing()
    {
        var facts = HostFactsCollector.Collect(new LinuxHostProbe(_root));
        facts.KernelRelease.ShouldBeNull();
        facts.KernelEvents.ShouldBeEmpty();
        facts.ListeningSockets.ShouldBeEmpty();
        DoctorRules.Evaluate(new DoctorInput { Host = facts }).Findings.ShouldBeEmpty();
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WeightFiles_reports_modes_of_weight_files_only_following_links()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix permission bits");
        var models = Path.Combine(_root, "models");
        var ok = Write("models/llama/model-00001-of-00002.safetensors", "x");
        var groupWritable = Write("models/llama/model-00002-of-00002.safetensors", "x");
        var config = Write("models/llama/config.json", "{}");
        var blob = Write("models/hf/blobs/abc123", "x");
        Directory.CreateDirectory(Path.Combine(models, "hf/snapshots/rev"));
        var link = Path.Combine(models, "hf/snapshots/rev/model.safetensors");
        File.CreateSymbolicLink(link, blob);
        File.SetUnixFileMode(ok, (UnixFileMode)Convert.ToInt32("440", 8));
        File.SetUnixFileMode(groupWritable, (UnixFileMode)Convert.ToInt32("664", 8));
        File.SetUnixFileMode(config, (UnixFileMode)Convert.ToInt32("666", 8));
        File.SetUnixFileMode(blob, (UnixFileMode)Convert.ToInt32("666", 8));

        var files = new LinuxHostProbe(_root).WeightFiles(models);
        files.Select(f => (Path.GetRelativePath(models, f.Path), f.Octal)).ShouldBe(
        [
            ("hf/snapshots/rev/model.safetensors", "666"),
            ("llama/model-00001-of-00002.safetensors", "440"),
            ("llama/model-00002-of-00002.safetensors", "664"),
        ]);

        var facts = HostFactsCollector.Collect(new LinuxHostProbe(_root), models);
        var f = DoctorRules.Evaluate(new DoctorInput { Host = facts }).Findings.Single();
        f.Id.ShouldBe("host.weights.writable");
        f.Title.ShouldBe("2 weight files are writable by someone other than the owner");
    }

    [Fact]
    public void Docker_without_the_nvidia_container_toolkit_warns()
    {
        Write("usr/bin/docker", "");
        var facts = HostFactsCollector.Collect(new LinuxHostProbe(_root));
        facts.ContainerEngineInstalled.ShouldBe(true);
        facts.NvidiaContainerToolkitInstalled.ShouldBe(false);
        var f = DoctorRules.Evaluate(new DoctorInput { Host = facts }).Findings.Single();
        f.Id.ShouldBe("host.container-toolkit.missing");
        f.Fix.ShouldContain("nvidia-ctk runtime configure");

        // A host without a usable NVIDIA driver gets the missing-driver error alone: the toolkit is moot there.
        DoctorRules.Evaluate(new DoctorInput { Host = facts, GpuSourceError = "NVML: libnvidia-ml.so.1 could not be loaded" }).Findings
            .Select(x => x.Id).ShouldBe(["host.no-nvidia-gpu"]);

        Write("usr/bin/nvidia-ctk", "");
        DoctorRules.Evaluate(new DoctorInput { Host = HostFactsCollector.Collect(new LinuxHostProbe(_root)) }).Findings.ShouldBeEmpty();
    }

    [Fact]
    public void Iommu_state_comes_from_iommu_groups()
    {
        new LinuxHostProbe(_root).IommuEnabled().ShouldBeNull();
        Directory.CreateDirectory(Path.Combine(_root, "sys/kernel/iommu_groups"));
        new LinuxHostProbe(_root).IommuEnabled().ShouldBe(false);
        var info = DoctorRules.Evaluate(new DoctorInput { Host = HostFactsCollector.Collect(new LinuxHostProbe(_root)) });
        info.Findings.Single().Id.ShouldBe("host.iommu.off");
        info.ExitCode.ShouldBe(DoctorReport.Clean);
        Directory.CreateDirectory(Path.Combine(_root, "sys/kernel/iommu_groups/0"));
        new LinuxHostProbe(_root).IommuEnabled().ShouldBe(true);
    }

    [Fact]
    public void WeightFiles_rejects_a_missing_folder_naming_it()
    {
        var missing = Path.Combine(_root, "nope");
        Should.Throw<DirectoryNotFoundException>(() => new LinuxHostProbe(_root).WeightFiles(missing)).Message.ShouldContain(missing);
    }

    [SkippableFact]
    public void ListeningSockets_sees_a_real_listener_on_all_interfaces_and_one_on_loopback()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/proc/net/tcp"), "needs Linux /proc/net/tcp");
        using var any = new TcpListener(IPAddress.Any, 0);
        using var loopback = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        loopback.Start();
        var anyPort = ((IPEndPoint)any.LocalEndpoint).Port;
        var loopbackPort = ((IPEndPoint)loopback.LocalEndpoint).Port;

        // The all-interfaces listener answers on loopback too: that is why binding matters.
        using (var client = new TcpClient())
            client.Connect(IPAddress.Loopback, anyPort);

        var sockets = new LinuxHostProbe().ListeningSockets();
        sockets.ShouldContain(new ListeningSocket(IPAddress.Any, anyPort));
        sockets.ShouldContain(new ListeningSocket(IPAddress.Loopback, loopbackPort));

        var options = new DoctorOptions { ServingPorts = [anyPort, loopbackPort] };
        var findings = DoctorRules.Evaluate(new DoctorInput { Host = new HostFacts { ListeningSockets = sockets }, Options = options }).Findings;
        findings.Single().Subject.ShouldBe($"port {anyPort}");
    }
}
