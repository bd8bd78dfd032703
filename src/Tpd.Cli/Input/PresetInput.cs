using Tpd.Simulation.Workloads;

namespace Tpd.Cli.Input;

/// <summary>Reads --preset once, at the edge; simulate and plan pass the <see cref="WorkloadPreset"/> on.</summary>
internal static class PresetInput
{
    /// <summary>The preset <paramref name="text"/> names, chat when it is absent; chat with an error added when it names none.</summary>
    public static WorkloadPreset Read(string? text, InputErrors errors)
    {
        if (text is null)
            return WorkloadPreset.Chat;
        if (WorkloadPreset.TryParse(text, out var preset))
            return preset;
        errors.Add($"--preset '{text}' is not a workload preset; use one of {string.Join(", ", WorkloadPreset.Names)}");
        return WorkloadPreset.Chat;
    }
}
