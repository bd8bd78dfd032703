using FsCheck;
using FsCheck.Fluent;
using Tpd.Telemetry.Doctor;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Doctor;

public class CostAndExitCodeTests
{
    [Fact]
    public void Twenty_percent_slower_is_twenty_five_percent_dearer() =>
        CostOfSlowdown.AddedCostPerToken(0.2).ShouldBe(0.25, 1e-12);

    [Fact]
    public void Added_cost_is_zero_without_slowdown_and_rejects_total_loss()
    {
        CostOfSlowdown.AddedCostPerToken(0).ShouldBe(0);
        Should.Throw<ArgumentOutOfRangeException>(() => CostOfSlowdown.AddedCostPerToken(1)).Message.ShouldContain("[0, 1)");
    }

    [Fact]
    public void Cost_per_token_times_throughput_is_constant() =>
        Prop.ForAll(Gen.Choose(0, 989).Select(i => i / 1000.0).ToArbitrary(), s =>
        {
            // Paying for time: (1 + added) x (1 - s) = 1.
            var added = CostOfSlowdown.AddedCostPerToken(s);
            return Math.Abs(((1 + added) * (1 - s)) - 1) < 1e-9;
        }).Check(PropertyConfig.Default);

    private static Finding F(Severity s) => new() { Id = "x", Severity = s, Subject = "s", Title = "t", Evidence = [], Fix = "f" };

    [Fact]
    public void Exit_code_is_zero_when_clean_or_only_info()
    {
        new DoctorReport([]).ExitCode.ShouldBe(0);
        new DoctorReport([F(Severity.Info)]).ExitCode.ShouldBe(0);
    }

    [Fact]
    public void Exit_code_is_one_for_warnings_and_two_for_any_error()
    {
        new DoctorReport([F(Severity.Info), F(Severity.Warning)]).ExitCode.ShouldBe(1);
        new DoctorReport([F(Severity.Warning), F(Severity.Error), F(Severity.Info)]).ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Findings_come_worst_first()
    {
        var gpus = Tpd.Telemetry.Tests.NvidiaSmi.SmiFixtures.Report("telegraf_tesla-t4.xml").Gpus;
        var r = DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, GpuSourceError = "x" });
        r.Findings.Select(f => f.Severity).ShouldBe(r.Findings.Select(f => f.Severity).OrderDescending());
        r.Findings[0].Id.ShouldBe("host.no-nvidia-gpu");
    }

    [Fact]
    public void No_gpu_source_is_a_finding_with_the_offline_alternative()
    {
        var r = DoctorRules.Evaluate(new DoctorInput { GpuSourceError = "libnvidia-ml.so.1: cannot open shared object file" });
        var f = r.Findings.Single();
        f.Id.ShouldBe("host.no-nvidia-gpu");
        f.Evidence.Single().Value.ShouldContain("libnvidia-ml.so.1");
        f.Fix.ShouldContain("--nvidia-smi-xml");
        r.ExitCode.ShouldBe(2);
    }
}
