using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;

namespace Tpd.Telemetry.Tests.Doctor;

/// <summary>Growth rules: two samples of the same GPU a window apart.</summary>
public class DoctorRulesTwoSampleTests
{
    private static DoctorReport Run(SmiEdit before, SmiEdit after, double seconds = 60) =>
        DoctorRules.Evaluate(new DoctorInput { Gpus = before.Gpus, LaterGpus = after.Gpus, Window = Duration.FromSeconds(seconds) });

    [Fact]
    public void Growing_corrected_ecc_count_warns()
    {
        // Modification of the A100: the first sram_correctable (volatile) 0 in the first sample, 5 in the second.
        var report = Run(new SmiEdit("telegraf_a100-sxm4-v12.xml"), new SmiEdit("telegraf_a100-sxm4-v12.xml").Set("sram_correctable", "5"));
        var f = report.Findings.Single(x => x.Id == "gpu.ecc.corrected-growing");
        f.Title.ShouldBe("corrected ECC errors grew by 5 during the window");
        f.Evidence.ShouldContain(new Evidence("window", "60 s"));
    }

    [Fact]
    public void Unchanged_corrected_count_is_silent()
    {
        var report = Run(new SmiEdit("telegraf_a100-sxm4-v12.xml"), new SmiEdit("telegraf_a100-sxm4-v12.xml"));
        report.Findings.ShouldNotContain(x => x.Id == "gpu.ecc.corrected-growing");
    }

    [Fact]
    public void Growing_thermal_counter_warns_with_the_share_of_the_window()
    {
        // Modification of the RTX 3090 (v13 counters): clocks_event_reasons_counters_sw_therm_slowdown 0 us -> 6000000 us in the second sample.
        var report = Run(new SmiEdit("telegraf_3090-v13.xml"),
            new SmiEdit("telegraf_3090-v13.xml").Set("clocks_event_reasons_counters_sw_therm_slowdown", "6000000 us"));
        var f = report.Findings.Single(x => x.Id == "gpu.thermal.counter-growing");
        f.Evidence.ShouldContain(new Evidence("share of window", "10 % of 60 s"));
    }

    [Fact]
    public void Idle_power_cap_counter_growth_is_silent()
    {
        // Modification of the idle RTX 3090: clocks_event_reasons_counters_sw_power_cap grows by 60 s (it is capped while idle).
        var report = Run(new SmiEdit("telegraf_3090-v13.xml"),
            new SmiEdit("telegraf_3090-v13.xml").Set("clocks_event_reasons_counters_sw_power_cap", "9900338777 us"));
        report.Findings.ShouldBeEmpty();
    }

    [Fact]
    public void Growing_hw_power_brake_counter_under_load_is_an_error()
    {
        // Modification of the loaded RTX 3080: clocks_event_reasons_counters_hw_power_brake 0 us -> 2000000 us in the second sample.
        var report = Run(new SmiEdit("telegraf_rtx-3080-v13.xml"),
            new SmiEdit("telegraf_rtx-3080-v13.xml").Set("clocks_event_reasons_counters_hw_power_brake", "2000000 us"));
        report.Findings.Single(x => x.Id == "gpu.clocks.hw-slowdown").Severity.ShouldBe(Severity.Error);
    }

    [Fact]
    public void Growing_replay_counter_warns()
    {
        // Modification of the RTX 3060: replay_counter 0 -> 12 in the second sample.
        var report = Run(new SmiEdit("telegraf_rtx-3060-v12.xml"), new SmiEdit("telegraf_rtx-3060-v12.xml").Set("replay_counter", "12"));
        report.Findings.Single(x => x.Id == "gpu.pcie.replays-growing").Title.ShouldStartWith("PCIe replays grew by 12");
    }

    [Fact]
    public void Gpus_pair_by_uuid_when_the_order_changes()
    {
        // Modification of the dual RTX 2070: GPU 1 (UUID ...cd) has replay_counter 3 in the first sample; in the
        // later sample the enumeration order flipped (UUIDs swapped) and GPU 0, now ...cd, still shows 3.
        // Paired by UUID nothing grew; paired by position GPU 0 would wrongly go 0 -> 3.
        var before = new SmiEdit("telegraf_dual_2070-v13.xml").Set("replay_counter", "3", 1);
        var after = new SmiEdit("telegraf_dual_2070-v13.xml")
            .Set("uuid", "GPU-12345678-aaaa-bbbb-cccc-0123456789cd", 0)
            .Set("uuid", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", 1)
            .Set("replay_counter", "3", 0);
        Run(before, after).Findings.ShouldNotContain(x => x.Id == "gpu.pcie.replays-growing");
    }

    [Fact]
    public void Gpus_pair_by_position_when_uuids_repeat()
    {
        // Modification of the dual RTX 2070: both GPUs get the same UUID (as sanitised dumps do), and GPU 1's
        // replay_counter goes 0 -> 3 in the later sample. Pairing by position keeps GPU 1 with GPU 1.
        var before = new SmiEdit("telegraf_dual_2070-v13.xml").Set("uuid", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", 1);
        var after = new SmiEdit("telegraf_dual_2070-v13.xml").Set("uuid", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", 1)
            .Set("replay_counter", "3", 1);
        Run(before, after).Findings.Single(x => x.Id == "gpu.pcie.replays-growing").Subject.ShouldStartWith("GPU 1 ");
    }
}
