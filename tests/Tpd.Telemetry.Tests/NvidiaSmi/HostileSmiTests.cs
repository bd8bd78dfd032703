using System.Diagnostics;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Tests.Doctor;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.NvidiaSmi;

/// <summary>
/// nvidia-smi files with readings that cannot be true, and files built to be slow (tests/fixtures/reliability
/// and generated): the readings are flagged and left out, the files refused by the limits.
/// </summary>
public class HostileSmiTests
{
    private static IReadOnlyList<Finding> Doctor(IReadOnlyList<GpuSnapshot> gpus) =>
        DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, Host = new Tpd.Telemetry.Host.HostFacts { IsLinux = true } }).Findings;

    [Fact]
    public void A_1e30_temperature_is_flagged_not_quoted_as_headroom()
    {
        var gpu = NvidiaSmiXmlParser.Parse(Fixtures.Read("reliability/nvidia-smi-temp-1e30.xml")).Gpus.Single();

        gpu.Temperature.GpuCelsius.ShouldBeNull();
        gpu.InvalidReadings.ShouldBe([new InvalidReading("temperature.gpu_temp", "1e30 W C", "-60 to 200 C")]);
        var findings = Doctor([gpu]);
        findings.ShouldNotContain(f => f.Id.StartsWith("gpu.thermal.", StringComparison.Ordinal));
        var flagged = findings.Single(f => f.Id == "gpu.readings.invalid");
        flagged.Title.ShouldBe("1 reading cannot be true and was left out: temperature.gpu_temp");
        flagged.Evidence.ShouldBe([new Evidence("temperature.gpu_temp", "'1e30 W C' (a GPU reports -60 to 200 C)")]);
    }

    [Fact]
    public void A_negative_power_limit_is_flagged_not_reported_as_lowered()
    {
        var gpu = NvidiaSmiXmlParser.Parse(Fixtures.Read("reliability/nvidia-smi-negative-power-limit.xml")).Gpus.Single();

        gpu.Power.EnforcedLimit.ShouldBeNull();
        gpu.InvalidReadings.ShouldBe([new InvalidReading("power_readings.enforced_power_limit", "-1 W", "1 to 10000 W")]);
        var findings = Doctor([gpu]);
        findings.ShouldNotContain(f => f.Id == "gpu.power.limit-lowered");
        findings.ShouldContain(f => f.Id == "gpu.readings.invalid" && f.Severity == Severity.Warning);
    }

    [Theory]
    [InlineData("gpu_util", "250 %", "utilization.gpu_util", "0 to 100 %")]
    [InlineData("sm_clock", "1e12 MHz", "clocks.sm_clock", "0 to 50000 MHz")]
    [InlineData("power_draw", "-5.00 W", "power_readings.power_draw", "0 to 10000 W")]
    [InlineData("used", "1e20 MiB", "fb_memory_usage.used", "0 to 67108864 MiB")]
    [InlineData("replay_counter", "1.5", "pci.replay_counter", "a whole number from 0 to 9007199254740992")]
    [InlineData("current_link_width", "999x", "link_widths.current_link_width", "1 to 64 x")]
    [InlineData("gpu_temp", "hot", "temperature.gpu_temp", "a number")]
    [InlineData("gpu_temp", "42 F", "temperature.gpu_temp", "-60 to 200 C")]
    [InlineData("gpu_temp", "1e400 C", "temperature.gpu_temp", "a number")]
    public void Every_checked_reading_is_flagged_out_of_range_in_another_unit_or_not_a_number(string tag, string value, string field, string expected)
    {
        var gpu = new SmiEdit("telegraf_tesla-t4.xml").Set(tag, value).Gpus[0];

        gpu.InvalidReadings.ShouldBe([new InvalidReading(field, value, expected)]);
    }

    [Fact]
    public void No_real_fixture_has_an_invalid_reading()
    {
        foreach (var name in SmiFixtures.Names)
            SmiFixtures.Report(name).Gpus.ShouldAllBe(g => g.InvalidReadings.Count == 0, name);
    }

    [Fact]
    public void Deep_nesting_before_the_gpu_is_refused_by_the_depth_limit_in_linear_time()
    {
        var xml = "<?xml version=\"1.0\"?><nvidia_smi_log>" + string.Concat(Enumerable.Repeat("<x>", 100_000))
            + string.Concat(Enumerable.Repeat("</x>", 100_000)) + "<gpu></gpu></nvidia_smi_log>";
        var clock = Stopwatch.StartNew();

        var e = Should.Throw<NvidiaSmiFormatException>(() => NvidiaSmiXmlParser.Parse(xml));

        e.Message.ShouldBe("not nvidia-smi XML: elements nest more than 32 deep at line 1 (nvidia-smi nests 6); produce it with `nvidia-smi -q -x > smi.xml`");
        // Not a benchmark: the quadratic parse took over 20 s here; the refusal takes milliseconds.
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused()
    {
        var xml = "<nvidia_smi_log>" + new string(' ', SmiLimits.MaxXmlChars) + "</nvidia_smi_log>";

        Should.Throw<NvidiaSmiFormatException>(() => NvidiaSmiXmlParser.Parse(xml)).Message
            .ShouldStartWith("not nvidia-smi XML: 16,777,249 characters, more than the 16,777,216 read");
    }

    [Theory]
    [InlineData("cuda_version", "18446744073709551615", "nvidia_smi_log.cuda_version")]
    [InlineData("driver_version", "banana", "nvidia_smi_log.driver_version")]
    public void A_version_that_is_no_version_is_flagged_not_a_crash(string tag, string value, string field)
    {
        var gpu = new SmiEdit("telegraf_tesla-t4.xml").Set(tag, value).Gpus[0];

        gpu.InvalidReadings.ShouldBe([new InvalidReading(field, value, "a version such as 535.54.03")]);
        Doctor([gpu]).ShouldContain(f => f.Id == "gpu.readings.invalid");
    }

    [Fact]
    public void Version_text_with_a_part_too_long_for_an_int_is_no_version() =>
        Tpd.Telemetry.Host.VersionText.Parse("535.99999999999.1").ShouldBeNull();

    [Fact]
    public void A_stopped_sm_clock_under_a_power_cap_gives_no_slowdown_estimate_rather_than_an_infinite_cost()
    {
        // Found by the fuzz harness (tests/fixtures/reliability/found/nvidia-smi-xml-e0efcf852a44.xml): a 0 MHz SM clock
        // made a slowdown of 1, and CostOfSlowdown threw for it.
        var gpu = new SmiEdit("telegraf_rtx-3080-v13.xml").Set("clocks_event_reason_sw_power_cap", "Active").Set("sm_clock", "0 MHz").Gpus[0];

        var capped = Doctor([gpu]).Single(f => f.Id == "gpu.power.cap-while-busy");

        capped.Slowdown.ShouldBeNull();
        capped.AddedCostPerToken.ShouldBeNull();
    }
}
