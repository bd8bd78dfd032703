using System.Text.Json;
using Tpd.Telemetry.Doctor;

namespace Tpd.Telemetry.Tests.Doctor;

public class DoctorJsonTests
{
    private static DoctorReport Sample() => DoctorRules.Evaluate(new DoctorInput
    {
        // Modification of the loaded RTX 3080: hw_slowdown Active, sm_clock 1950 -> 1680 MHz (20 % below max).
        Gpus = new SmiEdit("telegraf_rtx-3080-v13.xml").Set("clocks_event_reason_hw_slowdown", "Active").Set("sm_clock", "1680 MHz").Gpus,
    });

    [Fact]
    public void Serialize_writes_snake_case_with_units_in_names_and_lowercase_severities()
    {
        using var doc = JsonDocument.Parse(DoctorJson.Serialize(Sample()));
        var root = doc.RootElement;
        root.GetProperty("exit_code").GetInt32().ShouldBe(2);
        var hw = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "gpu.clocks.hw-slowdown");
        hw.GetProperty("severity").GetString().ShouldBe("error");
        hw.GetProperty("slowdown_fraction").GetDouble().ShouldBe(0.2, 1e-12);
        hw.GetProperty("added_cost_per_token_fraction").GetDouble().ShouldBe(0.25, 1e-12);
        hw.GetProperty("evidence")[0].GetProperty("name").GetString().ShouldBe("clocks_event_reasons (active)");
    }

    [Fact]
    public void Serialize_omits_estimates_that_do_not_exist()
    {
        using var doc = JsonDocument.Parse(DoctorJson.Serialize(Sample()));
        var p = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "gpu.persistence.off");
        p.TryGetProperty("slowdown_fraction", out _).ShouldBeFalse();
        p.TryGetProperty("added_cost_per_token_fraction", out _).ShouldBeFalse();
    }

    [Fact]
    public void Serialize_round_trips_through_the_document_shape()
    {
        var report = Sample();
        var back = DoctorJson.Deserialize(DoctorJson.Serialize(report)).ShouldNotBeNull();
        back.ExitCode.ShouldBe(report.ExitCode);
        back.Findings.Select(f => (f.Id, f.Severity, f.SlowdownFraction)).ShouldBe(report.Findings.Select(f => (f.Id, f.Severity, f.Slowdown)));
    }
}
