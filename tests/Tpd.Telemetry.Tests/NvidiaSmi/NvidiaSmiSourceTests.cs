using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Tests.NvidiaSmi;

public class NvidiaSmiSourceTests
{
    [Fact]
    public async Task File_source_parses_a_saved_report()
    {
        var path = Tpd.TestKit.Fixtures.PathOf("nvidia-smi/telegraf_tesla-t4.xml");
        var report = await new NvidiaSmiFile(path).ReadAsync(CancellationToken.None);
        report.Gpus.Single().Name.ShouldBe("Tesla T4");
    }

    [Fact]
    public async Task File_source_reports_a_missing_file_as_unavailable_with_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tpd-missing-{Guid.NewGuid():N}.xml");
        var e = await Should.ThrowAsync<GpuSourceUnavailableException>(() => new NvidiaSmiFile(path).ReadAsync(CancellationToken.None));
        e.Message.ShouldContain(path);
    }

    [Fact]
    public async Task Process_source_reports_a_missing_executable_as_unavailable_not_a_crash()
    {
        var e = await Should.ThrowAsync<GpuSourceUnavailableException>(
            () => new NvidiaSmiProcess($"tpd-no-such-nvidia-smi-{Guid.NewGuid():N}").ReadAsync(CancellationToken.None));
        e.Message.ShouldContain("--nvidia-smi-xml");
    }

    [SkippableFact]
    public async Task Process_source_reports_a_failing_tool_with_its_exit_code()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/false"), "needs /bin/false to stand in for a failing nvidia-smi");
        var e = await Should.ThrowAsync<GpuSourceUnavailableException>(() => new NvidiaSmiProcess("/bin/false").ReadAsync(CancellationToken.None));
        e.Message.ShouldContain("exited with 1");
    }
}
