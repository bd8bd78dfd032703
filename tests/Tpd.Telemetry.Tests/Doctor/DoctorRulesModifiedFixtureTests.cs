using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Tests.NvidiaSmi;

namespace Tpd.Telemetry.Tests.Doctor;

/// <summary>Real fixtures with stated modifications, to show the faults the unmodified samples do not contain.</summary>
public class DoctorRulesModifiedFixtureTests
{
    private static DoctorReport Run(SmiEdit e) => DoctorRules.Evaluate(new DoctorInput { Gpus = e.Gpus });

    [Fact]
    public void Thermal_slowdown_under_load_is_flagged_with_its_cost()
    {
        // Modification of the loaded RTX 3080 (65 %, P2): gpu_temp 27 C -> 93 C (slowdown threshold 95 C),
        // clocks_event_reason_sw_thermal_slowdown Not Active -> Active, sm_clock 1950 MHz -> 1680 MHz (max 2100 MHz).
        var report = Run(new SmiEdit("telegraf_rtx-3080-v13.xml")
            .Set("gpu_temp", "93 C")
            .Set("clocks_event_reason_sw_thermal_slowdown", "Active")
            .Set("sm_clock", "1680 MHz"));

        var near = report.Findings.Single(f => f.Id == "gpu.thermal.near-slowdown");
        near.Severity.ShouldBe(Severity.Warning);
        near.Evidence.ShouldContain(new Evidence("temperature.gpu_temp", "93 C"));
        near.Evidence.ShouldContain(new Evidence("temperature.gpu_temp_slow_threshold", "95 C"));

        var active = report.Findings.Single(f => f.Id == "gpu.thermal.slowdown-active");
        active.Slowdown!.Value.ShouldBe(0.2, 1e-12);          // 1 - 1680/2100
        active.AddedCostPerToken!.Value.ShouldBe(0.25, 1e-12); // the seed: 20% slower is 25% dearer
        active.Fix.ShouldContain("sudo nvidia-smi -i 0 -pl 288"); // 90% of the 320 W limit
        report.ExitCode.ShouldBe(DoctorReport.Warnings);
    }

    [Fact]
    public void Hardware_thermal_slowdown_under_load_is_an_error()
    {
        // Modification of the loaded RTX 3080: clocks_event_reason_hw_thermal_slowdown Not Active -> Active, sm_clock 1950 -> 1050 MHz.
        var report = Run(new SmiEdit("telegraf_rtx-3080-v13.xml")
            .Set("clocks_event_reason_hw_thermal_slowdown", "Active")
            .Set("sm_clock", "1050 MHz"));
        var f = report.Findings.Single(x => x.Id == "gpu.thermal.slowdown-active");
        f.Severity.ShouldBe(Severity.Error);
        f.Slowdown!.Value.ShouldBe(0.5, 1e-12);
        report.ExitCode.ShouldBe(DoctorReport.Errors);
    }

    [Fact]
    public void Hardware_slowdown_under_load_is_an_error_and_at_idle_a_warning()
    {
        // Modification of the loaded RTX 3080: clocks_event_reason_hw_slowdown Not Active -> Active, sm_clock 1950 -> 1050 MHz.
        var busy = Run(new SmiEdit("telegraf_rtx-3080-v13.xml")
            .Set("clocks_event_reason_hw_slowdown", "Active")
            .Set("sm_clock", "1050 MHz"));
        var f = busy.Findings.Single(x => x.Id == "gpu.clocks.hw-slowdown");
        f.Severity.ShouldBe(Severity.Error);
        f.Slowdown!.Value.ShouldBe(0.5, 1e-12);
        f.AddedCostPerToken!.Value.ShouldBe(1.0, 1e-12);
        busy.ExitCode.ShouldBe(DoctorReport.Errors);

        // Modification of the idle RTX 3060 (0 %, GpuIdle): clocks_event_reason_hw_power_brake_slowdown -> Active.
        var idle = Run(new SmiEdit("telegraf_rtx-3060-v12.xml").Set("clocks_event_reason_hw_power_brake_slowdown", "Active"));
        var g = idle.Findings.Single(x => x.Id == "gpu.clocks.hw-slowdown");
        g.Severity.ShouldBe(Severity.Warning);
        g.Slowdown.ShouldBeNull();
        g.Title.ShouldContain("power brake");
    }

    [Fact]
    public void Uncorrectable_ecc_errors_are_an_error()
    {
        // Modification of the A100 (ECC Enabled): the first dram_uncorrectable (volatile) 0 -> 2.
        var report = Run(new SmiEdit("telegraf_a100-sxm4-v12.xml").Set("dram_uncorrectable", "2"));
        var f = report.Findings.Single(x => x.Id == "gpu.ecc.uncorrectable");
        f.Severity.ShouldBe(Severity.Error);
        f.Evidence.ShouldContain(new Evidence("ecc_errors.volatile uncorrectable", "2"));
        f.Fix.ShouldContain("nvidia-smi -i 0 -r");
        report.ExitCode.ShouldBe(DoctorReport.Errors);
    }

    [Fact]
    public void A_lowered_power_limit_warns_and_under_load_with_a_power_cap_costs_throughput()
    {
        // Modification of the loaded RTX 3080 (default 320 W): current_power_limit 320 W -> 250 W,
        // clocks_event_reason_sw_power_cap Not Active -> Active, sm_clock 1950 -> 1575 MHz (max 2100 MHz).
        var report = Run(new SmiEdit("telegraf_rtx-3080-v13.xml")
            .Set("current_power_limit", "250.00 W")
            .Set("clocks_event_reason_sw_power_cap", "Active")
            .Set("sm_clock", "1575 MHz"));

        var lowered = report.Findings.Single(x => x.Id == "gpu.power.limit-lowered");
        lowered.Title.ShouldBe("power limit 250 W is below the default 320 W");
        lowered.Fix.ShouldBe("sudo nvidia-smi -i 0 -pl 320");
        lowered.Slowdown!.Value.ShouldBe(0.25, 1e-12);

        var cap = report.Findings.Single(x => x.Id == "gpu.power.cap-while-busy");
        cap.Fix.ShouldBe("sudo nvidia-smi -i 0 -pl 336");
        cap.AddedCostPerToken!.Value.ShouldBe((1 / 0.75) - 1, 1e-12);
    }

    [Fact]
    public void A_lowered_power_limit_at_idle_warns_without_a_slowdown_estimate()
    {
        // Modification of the idle T4 (old schema): enforced_power_limit 70 W -> 60 W (default 70 W).
        var f = Run(new SmiEdit("telegraf_tesla-t4.xml").Set("enforced_power_limit", "60.00 W"))
            .Findings.Single(x => x.Id == "gpu.power.limit-lowered");
        f.Evidence.ShouldContain(new Evidence("power.enforced_power_limit", "60 W"));
        f.Slowdown.ShouldBeNull();
    }

    [Fact]
    public void Ecc_mode_pending_and_row_remap_states_are_flagged()
    {
        // Modification of the A10G: pending_ecc Enabled -> Disabled, remapped_row_pending No -> Yes.
        var report = Run(new SmiEdit("telegraf_a10g.xml").Set("pending_ecc", "Disabled").Set("remapped_row_pending", "Yes"));
        report.Findings.Single(x => x.Id == "gpu.ecc.mode-pending").Title.ShouldBe("ECC mode changes from Enabled to Disabled at the next reboot or GPU reset");
        report.Findings.Single(x => x.Id == "gpu.memory.row-remap-pending").Severity.ShouldBe(Severity.Warning);

        // Modification of the A10G: remapped_row_failure No -> Yes.
        Run(new SmiEdit("telegraf_a10g.xml").Set("remapped_row_failure", "Yes"))
            .Findings.Single(x => x.Id == "gpu.memory.row-remap-failed").Severity.ShouldBe(Severity.Error);
    }

    [Fact]
    public void Pending_page_retirement_is_flagged()
    {
        // Modification of the T4: pending_retirement No -> Yes.
        Run(new SmiEdit("telegraf_tesla-t4.xml").Set("pending_retirement", "Yes"))
            .Findings.ShouldContain(x => x.Id == "gpu.memory.retirement-pending");
    }

    [Fact]
    public void Near_slowdown_uses_the_tlimit_margin_where_absolute_thresholds_are_missing()
    {
        // Modification of the RTX 4000 SFF Ada: gpu_temp_tlimit 49 C -> 2 C (slowdown at -2 C: 4 C of headroom).
        var f = Run(new SmiEdit("telegraf_rtx-4000-sff-ada-v13.xml").Set("gpu_temp_tlimit", "2 C"))
            .Findings.Single(x => x.Id == "gpu.thermal.near-slowdown");
        f.Evidence.ShouldContain(new Evidence("temperature.gpu_temp_tlimit", "2 C"));
        f.Title.ShouldBe("temperature is 4 C from the slowdown threshold");
    }

    [Fact]
    public void Blackwell_on_a_driver_before_570_is_an_error()
    {
        // Modification of the RTX 3060 (570.124.04 / 12.8): product_architecture Ampere -> Blackwell, driver -> 565.57.01, CUDA -> 12.7.
        var report = Run(new SmiEdit("telegraf_rtx-3060-v12.xml")
            .Set("product_architecture", "Blackwell").Set("driver_version", "565.57.01").Set("cuda_version", "12.7"));
        var f = report.Findings.Single(x => x.Id == "gpu.arch.unsupported-by-driver");
        f.Severity.ShouldBe(Severity.Error);
        f.Title.ShouldContain("CUDA 12.8+");

        // The unmodified 3060 fixture already has 570.124.04 / 12.8: a Blackwell board there is fine.
        Run(new SmiEdit("telegraf_rtx-3060-v12.xml").Set("product_architecture", "Blackwell"))
            .Findings.ShouldNotContain(x => x.Id == "gpu.arch.unsupported-by-driver");
    }

    [Fact]
    public void Serving_stack_cuda_above_the_driver_is_an_error()
    {
        var gpus = SmiFixtures.Report("telegraf_rtx-3060-v12.xml").Gpus; // CUDA 12.8
        var report = DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, Options = new DoctorOptions { ServingStackCuda = new Version(12, 9) } });
        report.Findings.Single(x => x.Id == "driver.cuda-below-serving-stack").Severity.ShouldBe(Severity.Error);
        DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, Options = new DoctorOptions { ServingStackCuda = new Version(12, 8) } })
            .Findings.ShouldBeEmpty();
    }
}
