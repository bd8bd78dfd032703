using Tpd.Telemetry.Host;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>
/// Driver, CUDA and kernel floors (the seed's prerequisites), and whether the driver can run the GPU's
/// architecture at all: Hopper (sm_90) needs CUDA 11.8 and driver 520; Blackwell (sm_100, sm_120) needs
/// CUDA 12.8 and driver 570 (NVIDIA CUDA Toolkit release notes, "CUDA Driver" minimum-version table).
/// </summary>
internal static class VersionRules
{
    private sealed record ArchFloor(string Architecture, string Sm, Version Cuda, Version Driver);

    private static readonly ArchFloor[] Floors =
    [
        new("Hopper", "sm_90", new Version(11, 8), new Version(520, 61)),
        new("Blackwell", "sm_100/sm_120", new Version(12, 8), new Version(570, 26)),
    ];

    public static IEnumerable<Finding> Evaluate(IReadOnlyList<GpuSnapshot> gpus, DoctorOptions o)
    {
        var first = gpus.Count > 0 ? gpus[0] : null;
        if (first is null)
            yield break;
        var driverText = first.DriverVersion;
        var cudaText = first.CudaVersion;
        var driver = VersionText.Parse(driverText);
        var cuda = VersionText.Parse(cudaText);

        if (driver is not null && driver < o.MinDriver)
        {
            yield return new Finding
            {
                Id = "driver.too-old",
                Severity = Severity.Warning,
                Subject = "driver",
                Title = $"driver {driverText} is older than {o.MinDriver}",
                Evidence = [new("driver_version", driverText!), new("minimum", o.MinDriver.ToString())],
                Fix = $"install a driver >= {o.MinDriver} (a current production branch), e.g. `sudo apt install nvidia-driver-570-server`",
            };
        }

        if (cuda is not null && cuda < o.MinCuda)
        {
            yield return new Finding
            {
                Id = "driver.cuda-too-old",
                Severity = Severity.Warning,
                Subject = "driver",
                Title = $"the driver supports CUDA {cudaText}, older than {o.MinCuda}",
                Evidence = [new("cuda_version", cudaText!), new("minimum", o.MinCuda.ToString())],
                Fix = "upgrade the driver: the CUDA version shown by nvidia-smi is the newest the driver can run",
            };
        }

        if (o.ServingStackCuda is { } stack && cuda is not null && cuda < stack)
        {
            yield return new Finding
            {
                Id = "driver.cuda-below-serving-stack",
                Severity = Severity.Error,
                Subject = "driver",
                Title = $"the serving stack needs CUDA {stack} but the driver supports only {cudaText}",
                Evidence = [new("cuda_version", cudaText!), new("serving stack CUDA", stack.ToString())],
                Fix = $"upgrade the driver to one that supports CUDA {stack}, or install the serving stack's build for CUDA {cudaText}",
            };
        }

        foreach (var g in gpus)
        {
            var floor = FloorFor(g);
            if (floor is null || (driver is null && cuda is null))
                continue;
            var cudaShort = cuda is not null && cuda < floor.Cuda;
            var driverShort = driver is not null && driver < floor.Driver;
            if (!cudaShort && !driverShort)
                continue;
            yield return new Finding
            {
                Id = "gpu.arch.unsupported-by-driver",
                Severity = Severity.Error,
                Subject = g.Label,
                Title = $"{floor.Architecture} ({floor.Sm}) needs CUDA {floor.Cuda}+ and driver {floor.Driver}+; kernels will fail or fall back",
                Evidence =
                [
                    new("product_architecture", g.Architecture ?? "N/A"),
                    new("compute capability", g.ComputeCapability ?? "N/A"),
                    new("driver_version", driverText ?? "N/A"),
                    new("cuda_version", cudaText ?? "N/A"),
                ],
                Fix = $"install a driver >= {floor.Driver} with CUDA >= {floor.Cuda} and a serving build compiled for {floor.Sm}",
            };
        }
    }

    private static ArchFloor? FloorFor(GpuSnapshot g)
    {
        if (VersionText.Parse(g.ComputeCapability) is { } cc)
            return cc.Major >= 10 ? Floors[1] : cc.Major == 9 ? Floors[0] : null;
        return g.Architecture is { } a ? Floors.FirstOrDefault(f => a.Contains(f.Architecture, StringComparison.OrdinalIgnoreCase)) : null;
    }

    public static IEnumerable<Finding> Kernel(HostFacts? host, DoctorOptions o)
    {
        if (host?.KernelRelease is { } release && VersionText.Parse(release) is { } k && k < o.MinKernel)
        {
            yield return new Finding
            {
                Id = "host.kernel.too-old",
                Severity = Severity.Warning,
                Subject = "host",
                Title = $"kernel {release} is older than {o.MinKernel}",
                Evidence = [new("/proc/sys/kernel/osrelease", release), new("minimum", o.MinKernel.ToString())],
                Fix = $"upgrade to a kernel >= {o.MinKernel} (e.g. Ubuntu 22.04's 5.15 GA kernel) and reinstall the driver's DKMS module",
            };
        }
    }
}
