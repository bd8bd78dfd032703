using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Targets;
using Xunit.Abstractions;

namespace Tpd.Fuzz.Tests;

/// <summary>
/// The bounded fuzz run CI makes: <see cref="FuzzBudget.CiInputs"/> mutated inputs per target with a fixed seed.
/// TPD_FUZZ_COUNT=10000 makes the long run; TPD_FUZZ_REPORT=FILE appends each target's counts to FILE. A failure
/// saves its input to tests/fixtures/reliability/found and names it; commit it with the fix.
/// </summary>
public abstract class FuzzTargetTests<T>(ITestOutputHelper output)
    where T : IFuzzTarget, new()
{
    [Fact]
    public void Every_seed_is_accepted()
    {
        var target = new T();
        try
        {
            for (var i = 0; i < target.Seeds.Count; i++)
            {
                var outcome = target.Run(target.Seeds[i]);
                target.Accepts(outcome).ShouldBeTrue($"{target.Name} seed {i} must be valid input, or mutating it tests little; got exit {outcome.ExitCode}: {outcome.Output[..Math.Min(500, outcome.Output.Length)]}");
            }
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_bounded_run_finds_no_crash_hang_non_number_or_silent_value()
    {
        var target = new T();
        try
        {
            var report = FuzzRunner.Run(target, FuzzBudget.Inputs, FuzzBudget.Seed);
            output.WriteLine(report.ToString());
            if (Environment.GetEnvironmentVariable("TPD_FUZZ_REPORT") is { Length: > 0 } file)
                File.AppendAllText(file, report + Environment.NewLine);
            report.Failures.ShouldBeEmpty(string.Join("\n", report.Failures.Take(20)));
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }
}

public sealed class ConfigJsonFuzzTests(ITestOutputHelper output) : FuzzTargetTests<HfConfigTarget>(output);

public sealed class GpuCatalogFuzzTests(ITestOutputHelper output) : FuzzTargetTests<GpuCatalogTarget>(output);

public sealed class GatewayConfigFuzzTests(ITestOutputHelper output) : FuzzTargetTests<GatewayConfigTarget>(output);

public sealed class NvidiaSmiFuzzTests(ITestOutputHelper output) : FuzzTargetTests<NvidiaSmiTarget>(output);

public sealed class PrometheusFuzzTests(ITestOutputHelper output) : FuzzTargetTests<PrometheusTarget>(output);
