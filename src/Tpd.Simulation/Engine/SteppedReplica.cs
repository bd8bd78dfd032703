using Tpd.Model.Roofline;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Engine;

/// <summary>Gauges of a replica at one instant.</summary>
/// <param name="Running">Requests in the batch.</param>
/// <param name="Waiting">Requests queued for admission.</param>
/// <param name="KvUsage">Share of KV blocks held, 0 to 1.</param>
/// <param name="Preemptions">Preemptions so far.</param>
/// <param name="Steps">Engine steps so far.</param>
/// <param name="Completed">Requests that produced all their tokens.</param>
public readonly record struct ReplicaGauges(int Running, int Waiting, double KvUsage, long Preemptions, long Steps, long Completed);

/// <summary>A request inside a <see cref="SteppedReplica"/>, as its driver sees it. Read it between steps only.</summary>
public sealed class SteppedRequest
{
    internal SteppedRequest(SimRequest sim) => Sim = sim;

    internal SimRequest Sim { get; }

    public RequestSpec Spec => Sim.Spec;

    /// <summary>Times the scheduler preempted it (recompute).</summary>
    public int Preemptions => Sim.Preemptions;

    /// <summary>Prompt tokens found in the prefix cache at its first admission.</summary>
    public int CachedInputTokens => Sim.CachedInputTokens;

    /// <summary>Set by the driver to find its own object again (the live engine's handle).</summary>
    public object? Tag { get; set; }
}

/// <summary>
/// One replica of the same scheduler and step costs as <see cref="Fleet.Simulator"/>, driven one step at a time by
/// a caller that owns time (the twin's wall-clock live engine): the caller submits and cancels requests between steps,
/// starts a step, and ends it when the step's time has passed. Deterministic and single-threaded like the rest of
/// the simulator; the caller serialises access.
/// </summary>
public sealed class SteppedReplica : IReplicaHost, IStepObserver
{
    private readonly Replica _replica;
    private long _nextId;
    private double _now;

    public SteppedReplica(EngineOptions options, IStepCostModel cost)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cost);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid engine options:\n  " + string.Join("\n  ", errors), nameof(options));
        _replica = new Replica(0, options, cost, this, keepGaps: false) { Observer = this };
    }

    /// <summary>Called when a request has produced its last token, with the simulated time.</summary>
    public Action<SteppedRequest, double>? Finished { get; set; }

    /// <summary>
    /// Called at the end of every step, after its tokens are applied and before the next step is planned: read
    /// <see cref="Running"/> and <see cref="OutputOf"/> and cancel requests here.
    /// </summary>
    public Action<double>? StepEnded { get; set; }

    /// <summary>Longest prompt + output the replica can hold (max_model_len, or the KV cache less the watermark).</summary>
    public int MaxTokensPerRequest => _replica.MaxTokensPerRequest;

    public bool Busy => _replica.Busy;

    /// <summary>Simulated time the step in flight ends; NaN while idle.</summary>
    public double StepEnd { get; private set; } = double.NaN;

    /// <summary>Simulated time the step in flight started.</summary>
    public double StepStart { get; private set; }

    public ReplicaGauges Gauges
    {
        get
        {
            var c = _replica.Counters;
            return new ReplicaGauges(_replica.Running, _replica.Waiting, _replica.KvUsage, c.Preemptions, c.Steps, c.Completed);
        }
    }

    /// <summary>Running requests in admission order.</summary>
    public IEnumerable<SteppedRequest> Running
    {
        get
        {
            for (var r = _replica.RunningHead; r is not null; r = r.Next)
                yield return (SteppedRequest)r.Owner!;
        }
    }

    /// <summary>Output tokens generated so far.</summary>
    public int OutputOf(SteppedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _replica.OutputOf(request.Sim);
    }

    /// <summary>
    /// Queues a request that arrived at simulated time <paramref name="at"/>; an idle replica starts a step at once.
    /// Requests with block keys share the prefix cache by content (<see cref="RequestSpec.BlockKeys"/>).
    /// </summary>
    public SteppedRequest Submit(RequestSpec spec, double at)
    {
        var id = _nextId++;
        var sim = new SimRequest
        {
            Id = id,
            Spec = spec,
            // A stream of its own: only block keys (content) can share KV blocks with other requests.
            Stream = id + 1,
            SharedStream = spec.BlockKeys is { Length: > 0 },
            SentSeconds = at,
            ScheduledSeconds = at,
        };
        var request = new SteppedRequest(sim);
        sim.Owner = request;
        _replica.Enqueue(sim);
        if (!_replica.Busy)
        {
            _now = at;
            _replica.TryStartStep(at);
        }

        return request;
    }

    /// <summary>Removes a waiting or running request (a client that went away); call between steps only.</summary>
    public void Cancel(SteppedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _replica.Cancel(request.Sim);
    }

    /// <summary>Ends the step in flight at its end time and starts the next one if there is work.</summary>
    public void EndStep()
    {
        if (!_replica.Busy)
            throw new InvalidOperationException("no step is in flight.");
        _now = StepEnd;
        StepEnd = double.NaN;
        _replica.EndStep(_now);
    }

    void IReplicaHost.ScheduleStepEnd(Replica replica, double at)
    {
        StepStart = _now;
        StepEnd = at;
    }

    void IReplicaHost.Finished(SimRequest request, double now) => Finished?.Invoke((SteppedRequest)request.Owner!, now);

    void IStepObserver.StepEnded(Replica replica, double now) => StepEnded?.Invoke(now);
}
