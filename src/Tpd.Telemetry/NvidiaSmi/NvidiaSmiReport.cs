namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>
/// One `nvidia-smi -q -x` document: the driver and one snapshot per GPU element. AttachedGpus
/// (attached_gpus) can exceed the number of <see cref="Gpus"/> when a file was trimmed.
/// </summary>
public sealed record NvidiaSmiReport(
    string? Timestamp,
    string? DriverVersion,
    string? CudaVersion,
    int? AttachedGpus,
    IReadOnlyList<GpuSnapshot> Gpus);
