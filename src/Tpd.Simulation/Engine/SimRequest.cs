using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Engine;

internal enum RequestState
{
    Waiting,
    Running,
    Done,
}

/// <summary>
/// A request inside a replica. Decoding requests are not touched every step: their progress is a function of the
/// replica's step counter (<see cref="BaseStep"/>, <see cref="BaseComputed"/>, <see cref="BaseOutput"/>), and they
/// come up only when they need a new KV block, finish, or are preempted.
/// </summary>
internal sealed class SimRequest
{
    public long Id;
    public RequestSpec Spec;
    public long Stream;

    /// <summary>True when the workload named the stream (a session) or gave block keys: later requests may reuse its blocks.</summary>
    public bool SharedStream;
    public double ScheduledSeconds;
    public double SentSeconds;
    public int Replica;

    public RequestState State;

    /// <summary>Tokens whose KV is computed (while not decoding).</summary>
    public int Computed;

    /// <summary>Output tokens generated so far (while not decoding).</summary>
    public int Output;

    public bool Decoding;
    public long BaseStep;
    public int BaseComputed;
    public int BaseOutput;
    public long FinishStep;

    /// <summary>Bumped on preemption so stale heap entries are skipped.</summary>
    public int Generation;

    /// <summary>Position in the replica's list of decoders of the same block phase (for O(1) removal).</summary>
    public int PhaseSlot;

    /// <summary>Prefill tokens scheduled in the current step.</summary>
    public int Chunk;

    /// <summary>
    /// Block table: entry j is 1 + the id of an identified block, or 0 for an anonymous one (so allocating anonymous
    /// blocks writes nothing). Sized at submission for the request's longest context: no resizing in the step loop.
    /// </summary>
    public int[] Blocks = [];

    public int BlockCount;

    /// <summary>Entries of <see cref="Blocks"/> that are identified blocks.</summary>
    public int IdentifiedBlocks;

    public double FirstTokenSeconds = double.NaN;
    public double LastTokenSeconds = double.NaN;
    public int Preemptions;
    public int CachedInputTokens;
    public List<double>? Gaps;

    public SimRequest? Prev;
    public SimRequest? Next;

    /// <summary>The <see cref="SteppedReplica"/> handle of a stepped request (null in batch simulation).</summary>
    public object? Owner;

    /// <summary>Tokens the next prefill must cover: the prompt plus any output already generated (recompute after preemption).</summary>
    public int PrefillTarget => Spec.InputTokens + Output;
}
