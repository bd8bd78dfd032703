using System.CommandLine;
using Tpd.Cli.Commands;
using Tpd.Cli.Input;

namespace Tpd.Cli;

/// <summary>The composition root: every command, wired to real files and the given writers.</summary>
public static class TpdCli
{
    /// <summary>Exit codes: 0 success, 1 a finding or a result that does not fit, 2 bad input.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IFiles files)
    {
        var root = new RootCommand("tpd: tokens per dollar for LLM inference. Predict, measure, audit and operate GPU serving in dollars.")
        {
            EstimateCommand.Create(stdout, stderr, files),
            CatalogCommand.Create(stdout, stderr, files),
            PlanCommand.Create(stdout, stderr, files),
            SimulateCommand.Create(stdout, stderr, files),
            BenchCommand.Create(stdout, stderr),
            DoctorCommand.Create(stdout, stderr),
            TwinCommand.Create(stdout, stderr, files),
            GatewayCommand.Create(stdout, stderr),
        };
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return root.Parse(args).Invoke(config);
    }
}
