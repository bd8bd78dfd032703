using Tpd.Simulation.Engine;

namespace Tpd.Twin.Engine;

/// <summary>How a <see cref="LiveEngine"/> maps the simulator onto the wall clock.</summary>
public sealed record LiveEngineOptions
{
    /// <summary>The replica's scheduler and KV cache, as `tpd simulate` builds them.</summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>
    /// Simulated seconds per wall second: 1 plays the GPU in real time, 10 runs it ten times faster (every latency a
    /// client sees is divided by 10), 0.5 in slow motion. <see cref="double.PositiveInfinity"/> runs steps back to back
    /// without waiting. Default 1.
    /// </summary>
    public double TimeFactor { get; init; } = 1;

    /// <summary>Seed of the latency-spike draws: same seed and same arrivals, same spikes.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Every invalid setting at once, each quoting the bad value and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Engine.Validate());
        if (!(TimeFactor > 0))
            errors.Add($"time factor is {TimeFactor}; it must be positive (1 = real time, 10 = ten times faster, infinity = no waiting).");
        return errors;
    }
}

/// <summary>Faults the engine itself plays: every step slower (thermal throttling), and occasional stalls.</summary>
/// <param name="Slowdown">Every step takes this many times its modelled time (1: none; 1.25: 25 % slower).</param>
/// <param name="SpikeProbability">Chance that a step stalls, in [0, 1].</param>
/// <param name="SpikeWallSeconds">Wall seconds a stalled step adds (every running request sees the gap).</param>
public readonly record struct StepFaults(double Slowdown, double SpikeProbability, double SpikeWallSeconds)
{
    public static StepFaults None => new(1, 0, 0);
}
