using System.Runtime.InteropServices;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Nvml;

namespace Tpd.Telemetry.Tests.Nvml;

public class NvmlReaderTests
{
    private static bool LibraryPresent()
    {
        if (!NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? NvmlNative.WindowsLibrary : NvmlNative.LinuxLibrary, out var h))
            return false;
        NativeLibrary.Free(h);
        return true;
    }

    [SkippableFact]
    public void TryOpen_without_the_library_returns_the_reason_instead_of_throwing()
    {
        Skip.If(LibraryPresent(), "libnvidia-ml.so.1 is installed here; the missing-library path cannot be exercised");
        using var reader = NvmlReader.TryOpen(out var error);
        reader.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("libnvidia-ml.so.1");
        var report = DoctorRules.Evaluate(new DoctorInput { GpuSourceError = error });
        report.Findings.Single().Id.ShouldBe("host.no-nvidia-gpu");
        report.ExitCode.ShouldBe(DoctorReport.Errors);
    }

    [SkippableFact]
    public void ReadGpus_reads_every_gpu_where_the_library_exists()
    {
        Skip.IfNot(LibraryPresent(), "needs libnvidia-ml.so.1 (an NVIDIA driver); this machine has none");
        using var reader = NvmlReader.TryOpen(out var error);
        Skip.If(reader is null, $"NVML is installed but did not initialise: {error}");
        var gpus = reader!.ReadGpus();
        gpus.ShouldNotBeEmpty();
        foreach (var g in gpus)
        {
            g.Name.ShouldNotBeNullOrWhiteSpace();
            g.Uuid.ShouldNotBeNull().ShouldStartWith("GPU-");
            g.DriverVersion.ShouldNotBeNull();
            g.MemoryTotal.ShouldNotBeNull().Bytes.ShouldBeGreaterThan(0);
            g.Power.Draw.ShouldNotBeNull().Watts.ShouldBeGreaterThan(0);
            g.Temperature.GpuCelsius.ShouldNotBeNull().ShouldBeInRange(0, 120);
            g.Clocks.MaxSmMhz.ShouldNotBeNull().ShouldBeGreaterThan(0);
            g.ClockEvents.ShouldNotBeNull();
        }
    }

    [SkippableFact]
    public void WatchXids_waits_the_window_on_a_real_driver()
    {
        Skip.IfNot(LibraryPresent(), "needs libnvidia-ml.so.1 (an NVIDIA driver); this machine has none");
        using var reader = NvmlReader.TryOpen(out var error);
        Skip.If(reader is null, $"NVML is installed but did not initialise: {error}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = reader!.WatchXids(TimeSpan.FromSeconds(1), CancellationToken.None);
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        if (result.Unavailable is null)
            result.WatchedDevices.ShouldNotBeEmpty();
    }
}
