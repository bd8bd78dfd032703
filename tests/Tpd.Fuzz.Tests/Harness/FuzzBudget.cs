namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// How many inputs a run tries and how long one may take. CI runs <see cref="CiInputs"/> per target with a fixed
/// seed; TPD_FUZZ_COUNT raises the count for the long run and TPD_FUZZ_SEED picks another sequence.
/// </summary>
public static class FuzzBudget
{
    /// <summary>Per target in `dotnet test`: the five targets take about half a minute on 2 cores (docs/validation/robustness.md).</summary>
    public const int CiInputs = 1_000;

    /// <summary>An input slower than this fails ("more than a few seconds"); the slowest healthy ones take well under a second.</summary>
    public static readonly TimeSpan SlowRun = TimeSpan.FromSeconds(5);

    /// <summary>After this the input counts as a hang and the run stops (its thread cannot be stopped, only abandoned).</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    public static int Inputs { get; } = int.TryParse(Environment.GetEnvironmentVariable("TPD_FUZZ_COUNT"), out var n) && n > 0 ? n : CiInputs;

    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("TPD_FUZZ_SEED"), out var s) ? s : 20261217;
}
