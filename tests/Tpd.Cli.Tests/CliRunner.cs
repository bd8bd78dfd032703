using Tpd.Cli.Input;

namespace Tpd.Cli.Tests;

/// <summary>Runs the CLI in-process against real files, capturing both streams.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = TpdCli.Run(args, stdout, stderr, new PhysicalFiles());
        return (code, stdout.ToString(), stderr.ToString());
    }
}
