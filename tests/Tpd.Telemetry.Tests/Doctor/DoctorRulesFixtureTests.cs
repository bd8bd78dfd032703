using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Tests.NvidiaSmi;

namespace Tpd.Telemetry.Tests.Doctor;

public class DoctorRulesFixtureTests
{
    private static DoctorReport Run(string file) =>
        DoctorRules.Evaluate(new DoctorInput { Gpus = SmiFixtures.Report(file).Gpus });

    private static string[] Ids(DoctorReport r) => r.Findings.Select(f => $"{f.Id}:{f.Severity}").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every fixture, unmodified, with the findings it must raise and nothing else.</summary>
    public static TheoryData<string, string[], int> Expected => new()
    {
        // RTX 3090, driver 590: SwPowerCap Active at idle (35 W, P8, 0 %) and PCIe Gen1 of 4 at idle: both must stay silent.
        { "telegraf_3090-v13.xml", [], 0 },
        // A100 SXM4, driver 535.54.03 (< 535.104), persistence Disabled; MIG (util N/A) at 67 W of 500 W is not busy.
        { "telegraf_a100-sxm4-v12.xml", ["driver.too-old:Warning", "gpu.persistence.off:Warning"], 1 },
        // A10G on AWS: driver 515 / CUDA 11.7, persistence off, x8 of x16 explained as the cloud SKU's topology (Info), Gen1 idle silent.
        { "telegraf_a10g.xml", ["driver.cuda-too-old:Warning", "driver.too-old:Warning", "gpu.pcie.width-below-max:Info", "gpu.persistence.off:Warning"], 1 },
        // Two RTX 2070 at x8 of x16 each (a consumer board splitting lanes): a warning per GPU; Gen1 idle silent.
        { "telegraf_dual_2070-v13.xml", ["gpu.pcie.width-below-max:Warning", "gpu.pcie.width-below-max:Warning"], 1 },
        // GTX 1660 Ti on driver 418 / CUDA 10.1, persistence off.
        { "telegraf_gtx-1660-ti.xml", ["driver.cuda-too-old:Warning", "driver.too-old:Warning", "gpu.persistence.off:Warning"], 1 },
        // Quadro P2000: driver 525 / CUDA 12.0 and x8 of x16 in a workstation slot.
        { "telegraf_quadro-p2000-v12.xml", ["driver.cuda-too-old:Warning", "driver.too-old:Warning", "gpu.pcie.width-below-max:Warning"], 1 },
        // RTX 3060 on 570 / 12.8, persistence on, x16, idle: clean.
        { "telegraf_rtx-3060-v12.xml", [], 0 },
        // RTX 3080 under load (65 %, P2, 1950 of 2100 MHz = 93 %, Gen4 x16): only persistence off.
        { "telegraf_rtx-3080-v13.xml", ["gpu.persistence.off:Warning"], 1 },
        // RTX 4000 SFF Ada: T.Limit headroom 51 C, ECC Disabled/Disabled, no remap pending: clean.
        { "telegraf_rtx-4000-sff-ada-v13.xml", [], 0 },
        // Tesla T4 on AWS: 515 / 11.7, persistence off, x8 of x16 explained (Info).
        { "telegraf_tesla-t4.xml", ["driver.cuda-too-old:Warning", "driver.too-old:Warning", "gpu.pcie.width-below-max:Info", "gpu.persistence.off:Warning"], 1 },
    };

    [Fact]
    public void Expected_covers_every_nvidia_smi_fixture() =>
        Expected.Select(r => (string)r[0]).ShouldBe(SmiFixtures.Names, ignoreOrder: true);

    [Theory]
    [MemberData(nameof(Expected))]
    public void Evaluate_raises_the_expected_findings_and_no_false_ones(string file, string[] expected, int exitCode)
    {
        var report = Run(file);
        Ids(report).ShouldBe(expected.Order(StringComparer.Ordinal).ToArray(), string.Join("\n", report.Findings.Select(f => f.Title)));
        report.ExitCode.ShouldBe(exitCode);
    }

    [Fact]
    public void Idle_sw_power_cap_on_the_3090_is_not_flagged_but_the_same_reading_under_load_is()
    {
        SmiFixtures.Gpu("telegraf_3090-v13.xml").ClockEvents!.Value.IsActive(Tpd.Telemetry.NvidiaSmi.ClockEventReasons.SwPowerCap).ShouldBeTrue();
        Run("telegraf_3090-v13.xml").Findings.ShouldNotContain(f => f.Id.StartsWith("gpu.power", StringComparison.Ordinal));

        // Modification: gpu_util 0 % -> 97 %, sm_clock 210 MHz -> 1470 MHz (SwPowerCap stays Active, max SM 2100 MHz).
        var busy = new SmiEdit("telegraf_3090-v13.xml").Set("gpu_util", "97 %").Set("sm_clock", "1470 MHz").Gpus;
        var f = DoctorRules.Evaluate(new DoctorInput { Gpus = busy }).Findings.Single(x => x.Id == "gpu.power.cap-while-busy");
        f.Slowdown!.Value.ShouldBe(1 - (1470.0 / 2100), 1e-12);
        f.Fix.ShouldBe("sudo nvidia-smi -i 0 -pl 480");
    }

    [Fact]
    public void Idle_gen1_links_are_silent_but_gen1_under_load_warns()
    {
        Run("telegraf_rtx-3060-v12.xml").Findings.ShouldNotContain(f => f.Id == "gpu.pcie.gen-below-max");

        // Modification: the loaded 3080's current_link_gen 4 -> 1.
        var gpus = new SmiEdit("telegraf_rtx-3080-v13.xml").Set("current_link_gen", "1").Gpus;
        var f = DoctorRules.Evaluate(new DoctorInput { Gpus = gpus }).Findings.Single(x => x.Id == "gpu.pcie.gen-below-max");
        f.Severity.ShouldBe(Severity.Warning);
        f.Title.ShouldBe("PCIe link runs Gen1 of Gen4 while the GPU is busy");
    }

    [Fact]
    public void T4_x8_link_is_explained_as_the_cloud_topology()
    {
        var f = Run("telegraf_tesla-t4.xml").Findings.Single(x => x.Id == "gpu.pcie.width-below-max");
        f.Severity.ShouldBe(Severity.Info);
        f.Title.ShouldBe("PCIe link runs x8 of x16");
        f.Note.ShouldNotBeNull().ShouldContain("cloud VMs");
        f.Evidence.ShouldContain(new Evidence("pci.link_widths.current_link_width", "8x"));
    }

    [Fact]
    public void Findings_name_the_gpu_and_quote_raw_values()
    {
        var f = Run("telegraf_a100-sxm4-v12.xml").Findings.Single(x => x.Id == "driver.too-old");
        f.Evidence.ShouldContain(new Evidence("driver_version", "535.54.03"));
        f.Evidence.ShouldContain(new Evidence("minimum", "535.104"));
        var p = Run("telegraf_a100-sxm4-v12.xml").Findings.Single(x => x.Id == "gpu.persistence.off");
        p.Subject.ShouldBe("GPU 0 (NVIDIA A100-SXM4-80GB, 00000000:01:00.0)");
        p.Fix.ShouldStartWith("sudo nvidia-smi -i 0 -pm 1");
    }

    [Fact]
    public void Persistence_is_not_flagged_off_linux()
    {
        var gpus = SmiFixtures.Report("telegraf_rtx-3080-v13.xml").Gpus;
        DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, Host = new Tpd.Telemetry.Host.HostFacts { IsLinux = false } })
            .Findings.ShouldNotContain(f => f.Id == "gpu.persistence.off");
    }
}
