namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>Persistence mode off on Linux: every first CUDA initialisation pays the driver's start-up (the seed's step 2).</summary>
internal static class PersistenceRule
{
    public static IEnumerable<Finding> Evaluate(GpuContext c, bool? isLinux)
    {
        if (c.Now.PersistenceMode is false && isLinux is not false)
        {
            yield return new Finding
            {
                Id = "gpu.persistence.off",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "persistence mode is off: the driver tears down and re-initialises the GPU between CUDA clients",
                Evidence = [new("persistence_mode", "Disabled")],
                Fix = $"sudo nvidia-smi -i {c.Now.Index} -pm 1   (or run the daemon: sudo systemctl enable --now nvidia-persistenced)",
                Note = "costs start-up latency (seconds on multi-GPU nodes) rather than steady-state throughput",
            };
        }
    }
}
