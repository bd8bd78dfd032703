using Tpd.Simulation.Randomness;
using Tpd.Simulation.Time;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// A source of requests driven by the simulator's clock. Open-loop sources schedule a timer per arrival (lazily,
/// one ahead, so a million-request hour never sits in memory); closed-loop and session sources react to
/// completions. Implementations hold per-run state: use a fresh instance per run.
/// </summary>
public interface IWorkload
{
    void Start(IWorkloadContext context);

    /// <summary>A timer set with <see cref="IWorkloadContext.ScheduleTimer"/> fired.</summary>
    void OnTimer(long token, IWorkloadContext context);

    /// <summary>A request finished (or was rejected as too long); closed loops send the next one here.</summary>
    void OnCompleted(in CompletedRequest request, IWorkloadContext context);
}

/// <summary>What a workload may do: read the clock, submit, set timers, draw randomness.</summary>
public interface IWorkloadContext
{
    SimTime Now { get; }

    /// <summary>Arrivals stop after this instant; timers later than it never fire.</summary>
    SimTime Horizon { get; }

    /// <summary>Sends a request now; returns its id, or -1 when the run no longer accepts requests.</summary>
    long Submit(in RequestSpec request);

    void ScheduleTimer(SimTime at, long token);

    /// <summary>A content stream id no other request uses.</summary>
    long NewStreamId();

    /// <summary>An independent generator for one purpose of this workload (same seed, same draws).</summary>
    SimRandom Random(ulong stream);
}
