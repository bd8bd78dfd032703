using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Tests.Doctor;

/// <summary>Missing readings must never look like faults: N/A is unknown, not zero and not "off".</summary>
public class MissingDataTests
{
    [Fact]
    public void A_gpu_element_with_nothing_in_it_parses_to_nulls()
    {
        var g = NvidiaSmiXmlParser.Parse("<nvidia_smi_log><gpu id=\"00000000:01:00.0\"/></nvidia_smi_log>").Gpus.Single();
        g.PciBusId.ShouldBe("00000000:01:00.0");
        g.Name.ShouldBeNull();
        g.PersistenceMode.ShouldBeNull();
        g.ClockEvents.ShouldBeNull();
        g.Power.Draw.ShouldBeNull();
        g.Ecc.Volatile.Uncorrected.ShouldBeNull();
        g.Pcie.CurrentWidth.ShouldBeNull();
        g.Temperature.SlowdownHeadroomCelsius.ShouldBeNull();
    }

    [Fact]
    public void Rules_raise_nothing_on_a_gpu_that_reports_nothing()
    {
        var gpus = NvidiaSmiXmlParser.Parse("<nvidia_smi_log><gpu/><gpu/></nvidia_smi_log>").Gpus;
        var report = DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, LaterGpus = gpus, Window = Tpd.Core.Units.Duration.FromSeconds(10) });
        report.Findings.ShouldBeEmpty();
        report.ExitCode.ShouldBe(DoctorReport.Clean);
    }

    [Fact]
    public void Every_na_value_in_a_real_fixture_stays_null_after_a_global_replacement()
    {
        // Modification: every numeric ECC count in the A100 fixture replaced by "N/A".
        var text = SmiFixturesText("telegraf_a100-sxm4-v12.xml")
            .Replace("<sram_correctable>0</sram_correctable>", "<sram_correctable>N/A</sram_correctable>", StringComparison.Ordinal)
            .Replace("<dram_correctable>0</dram_correctable>", "<dram_correctable>N/A</dram_correctable>", StringComparison.Ordinal)
            .Replace("<sram_uncorrectable>0</sram_uncorrectable>", "<sram_uncorrectable>N/A</sram_uncorrectable>", StringComparison.Ordinal)
            .Replace("<dram_uncorrectable>0</dram_uncorrectable>", "<dram_uncorrectable>N/A</dram_uncorrectable>", StringComparison.Ordinal);
        var g = NvidiaSmiXmlParser.Parse(text).Gpus.Single();
        g.Ecc.Volatile.Corrected.ShouldBeNull();
        g.Ecc.Aggregate.Uncorrected.ShouldBeNull();
        g.Ecc.CurrentEnabled.ShouldBe(true);
    }

    private static string SmiFixturesText(string name) => Tpd.Telemetry.Tests.NvidiaSmi.SmiFixtures.Text(name);
}
