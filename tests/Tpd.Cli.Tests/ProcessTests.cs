using System.Diagnostics;
using System.Text.Json;

namespace Tpd.Cli.Tests;

/// <summary>The built `tpd` as a real child process: exit codes, streams and redirected output as a user sees them.</summary>
public class ProcessTests
{
    private static (int Code, string Out, string Err) Tpd(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(TpdCli).Assembly.Location);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(true);
            throw new TimeoutException("tpd did not exit within 60 s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Estimate_json_from_a_real_process_parses_and_exits_0()
    {
        var (code, stdout, stderr) = Tpd("estimate", "--json");
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("fits").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void Bad_input_from_a_real_process_exits_2_with_errors_on_stderr_only()
    {
        var (code, stdout, stderr) = Tpd("estimate", "--gpu", "h1000");
        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.ShouldStartWith("error: unknown GPU 'h1000'");
    }
}
