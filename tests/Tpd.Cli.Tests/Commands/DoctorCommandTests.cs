using System.Text.Json;
using Tpd.TestKit;

namespace Tpd.Cli.Tests.Commands;

public class DoctorCommandTests
{
    [Fact]
    public void An_offline_audit_of_a_saved_nvidia_smi_file_lists_findings_with_fixes()
    {
        var (code, stdout, stderr) = CliRunner.Run("doctor", "--nvidia-smi-xml", Fixtures.PathOf("nvidia-smi/telegraf_tesla-t4.xml"));
        stderr.ShouldBeEmpty();
        code.ShouldBe(1);
        Golden.Match("doctor-t4.txt", stdout);
    }

    [Fact]
    public void Json_findings_carry_ids_severities_and_the_exit_code()
    {
        var (code, stdout, _) = CliRunner.Run("doctor", "--nvidia-smi-xml", Fixtures.PathOf("nvidia-smi/telegraf_a100-sxm4-v12.xml"), "--json");
        code.ShouldBe(1);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("exit_code").GetInt32().ShouldBe(1);
        var ids = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        ids.ShouldContain("driver.too-old");
        ids.ShouldContain("gpu.persistence.off");
    }

    [Fact]
    public void A_machine_without_nvidia_gpus_gets_a_finding_not_a_crash()
    {
        var (code, stdout, stderr) = CliRunner.Run("doctor", "--json");
        stderr.ShouldBeEmpty();
        using var doc = JsonDocument.Parse(stdout);
        var ids = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        if (ids.Contains("host.no-nvidia-gpu"))
            code.ShouldBe(2);
        else
            code.ShouldBeInRange(0, 2); // a machine with a driver: whatever its findings say
    }

    [Fact]
    public void A_truncated_nvidia_smi_file_gets_a_finding_about_the_file_not_about_the_driver()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tpd-truncated-{Guid.NewGuid():N}.xml");
        try
        {
            // The first 400 characters of a real fixture: what a copy cut short looks like.
            File.WriteAllText(file, File.ReadAllText(Fixtures.PathOf("nvidia-smi/telegraf_tesla-t4.xml"))[..400]);
            var (code, stdout, _) = CliRunner.Run("doctor", "--nvidia-smi-xml", file, "--json");
            code.ShouldBe(2);
            using var doc = JsonDocument.Parse(stdout);
            var finding = doc.RootElement.GetProperty("findings").EnumerateArray().Single();
            finding.GetProperty("id").GetString().ShouldBe("input.nvidia-smi-xml.unreadable");
            finding.GetProperty("fix").GetString()!.ShouldContain($"nvidia-smi -q -x > {Path.GetFileName(file)}");
            finding.GetRawText().ShouldContain("not nvidia-smi XML");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bad_options_are_all_reported()
    {
        var (code, _, stderr) = CliRunner.Run("doctor", "--metrics", "notaurl", "--window", "x", "--nvidia-smi-xml", "/nonexistent.xml", "--weights", "/nonexistent-dir");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --window 'x' is not a number from 0.1 to 3600; use seconds such as 10");
        stderr.ShouldContain("error: --metrics 'notaurl' is not an http(s) URL; use e.g. http://127.0.0.1:8000/metrics");
        stderr.ShouldContain("error: --nvidia-smi-xml '/nonexistent.xml' does not exist; save one with `nvidia-smi -q -x > gpus.xml`");
        stderr.ShouldContain("error: --weights '/nonexistent-dir' is not a folder");
    }

    [Fact]
    public void World_writable_weights_are_found()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix permission bits only
        var dir = Directory.CreateTempSubdirectory("tpd-weights-");
        try
        {
            var file = Path.Combine(dir.FullName, "model.safetensors");
            File.WriteAllText(file, "x");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            var (_, stdout, _) = CliRunner.Run("doctor", "--nvidia-smi-xml", Fixtures.PathOf("nvidia-smi/telegraf_rtx-3080-v13.xml"), "--weights", dir.FullName, "--json");
            using var doc = JsonDocument.Parse(stdout);
            var ids = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
            ids.ShouldContain("host.weights.writable");
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
