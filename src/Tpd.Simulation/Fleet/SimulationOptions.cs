using Tpd.Core.Units;
using Tpd.Simulation.Engine;

namespace Tpd.Simulation.Fleet;

/// <summary>A simulated fleet: identical replicas behind one router.</summary>
public sealed record SimulationOptions
{
    public required EngineOptions Engine { get; init; }

    public int Replicas { get; init; } = 1;

    public RoutingPolicy Routing { get; init; } = RoutingPolicy.LeastOutstanding;

    /// <summary>Seed of every random stream in the run: same seed, same records.</summary>
    public long Seed { get; init; }

    /// <summary>Arrivals stop after this much simulated time; requests in flight then still finish (none is dropped).</summary>
    public required Duration Horizon { get; init; }

    /// <summary>Stop accepting requests after this many (null: no limit).</summary>
    public long? MaxRequests { get; init; }

    /// <summary>Keep every request's inter-token gaps (ITL samples). Off by default: at millions of requests they dominate memory.</summary>
    public bool KeepInterTokenGaps { get; init; }

    /// <summary>Session affinity falls back to least outstanding when the home replica has this many requests (null: max_num_seqs).</summary>
    public int? AffinitySaturation { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Engine.Validate());
        if (Replicas < 1)
            errors.Add($"replicas is {Replicas}; it must be at least 1.");
        if (!(Horizon.Seconds > 0))
            errors.Add($"horizon is {Horizon}; it must be a positive duration (e.g. 3600 s).");
        if (MaxRequests is < 1)
            errors.Add($"max requests is {MaxRequests}; it must be at least 1, or unset.");
        if (AffinitySaturation is < 1)
            errors.Add($"affinity saturation is {AffinitySaturation}; it must be at least 1, or unset for max_num_seqs.");
        return errors;
    }
}
