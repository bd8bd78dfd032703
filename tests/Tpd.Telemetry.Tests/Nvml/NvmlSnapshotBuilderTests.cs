using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Nvml;

namespace Tpd.Telemetry.Tests.Nvml;

public class NvmlSnapshotBuilderTests
{
    [Fact]
    public void Build_converts_nvml_units_into_the_shared_snapshot()
    {
        var g = NvmlSnapshotBuilder.Build(new FakeNvml()).Single();
        g.Name.ShouldBe("NVIDIA H100 80GB HBM3");
        g.DriverVersion.ShouldBe("550.54.15");
        g.CudaVersion.ShouldBe("12.4");
        g.ComputeCapability.ShouldBe("9.0");
        g.PersistenceMode.ShouldBe(false);
        g.PerformanceState.ShouldBe("P0");
        g.Power.Draw.ShouldBe(Power.FromWatts(652.123));
        g.Power.MaxLimit.ShouldBe(Power.FromWatts(700));
        g.Temperature.SlowdownCelsius.ShouldBe(89);
        g.Temperature.ShutdownCelsius.ShouldBe(92);
        g.Clocks.SmFraction!.Value.ShouldBe(1410.0 / 1980, 1e-12);
        g.MemoryTotal.ShouldBe(DataSize.FromBytes(85_520_809_984));
        g.Ecc.Volatile.Corrected.ShouldBe(3);
        g.Ecc.Volatile.Uncorrected.ShouldBe(0);
        g.RemappedRows.Pending.ShouldBe(false);
        g.Pcie.CurrentGen.ShouldBe(5);
    }

    [Fact]
    public void Build_falls_back_to_the_throttle_reasons_symbol_on_pre_R535_drivers()
    {
        var g = NvmlSnapshotBuilder.Build(new FakeNvml { HasEventReasons = false, Reasons = 0x20 }).Single();
        g.ClockEvents.ShouldNotBeNull().Active.ShouldBe(ClockEventReasons.SwThermalSlowdown);
    }

    [Fact]
    public void Nvml_snapshots_go_through_the_same_rules()
    {
        // SwPowerCap while 92 % busy at 1410 of 1980 MHz: power capped under load, 28.8 % below max clock.
        var gpus = NvmlSnapshotBuilder.Build(new FakeNvml());
        var report = DoctorRules.Evaluate(new DoctorInput { Gpus = gpus });
        var cap = report.Findings.Single(f => f.Id == "gpu.power.cap-while-busy");
        cap.Slowdown!.Value.ShouldBe(1 - (1410.0 / 1980), 1e-12);
        report.Findings.ShouldContain(f => f.Id == "gpu.persistence.off");
        report.Findings.ShouldNotContain(f => f.Id == "gpu.arch.unsupported-by-driver");
    }
}
