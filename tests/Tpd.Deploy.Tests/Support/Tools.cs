using System.Diagnostics;
using System.Text;

namespace Tpd.Deploy.Tests.Support;

/// <summary>
/// External programs the tests use (kubectl, prometheus, promtool). A developer without one gets a skipped test
/// that names it; CI (CI=true), which installs them, gets a failure instead, so a missing install never passes
/// as a silent skip.
/// </summary>
public static class Tools
{
    public static string Require(string program, string installHint)
    {
        var path = Find(program);
        if (path is not null)
            return path;
        var message = $"{program} is not installed ({installHint})";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(message + "; .ci/run installs it, so CI must not skip this test");
        throw new SkipException(message);
    }

    public static string? Find(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Runs a program to its end within <paramref name="timeout"/>; returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} ran past {timeout.TotalSeconds} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string Describe(string program, IEnumerable<string> args, (int ExitCode, string Stdout, string Stderr) r) =>
        new StringBuilder().Append(program).Append(' ').AppendJoin(' ', args).Append(" exited ").Append(r.ExitCode).Append(":\n").Append(r.Stderr).Append(r.Stdout).ToString();
}
