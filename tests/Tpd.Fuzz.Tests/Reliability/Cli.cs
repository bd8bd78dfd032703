using Tpd.Cli;
using Tpd.Cli.Input;

namespace Tpd.Fuzz.Tests.Reliability;

/// <summary>Runs the CLI in-process against real files, as tests/Tpd.Cli.Tests/CliRunner.cs does, timing the run.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err, TimeSpan Elapsed) Run(params string[] args)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = TpdCli.Run(args, stdout, stderr, new PhysicalFiles());
        return (code, stdout.ToString(), stderr.ToString(), clock.Elapsed);
    }
}
