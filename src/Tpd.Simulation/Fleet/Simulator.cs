using System.Globalization;
using Tpd.Core.Measurement;
using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Randomness;
using Tpd.Simulation.Time;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Fleet;

/// <summary>
/// The discrete-event loop: one queue of timed events (workload timers, replica step ends, replica wake-ups),
/// ordered by time and then by insertion, so equal times resolve the same way on every run.
/// </summary>
public sealed class Simulator : IReplicaHost, IWorkloadContext
{
    private readonly SimulationOptions _options;
    private readonly IWorkload _workload;
    private readonly IRecordSink? _sink;
    private readonly Replica[] _replicas;
    private readonly FleetRouter _router;
    private readonly SimRandom _root;
    private readonly EventQueue<Event> _queue = new();
    private readonly double _horizon;
    private readonly Queue<CompletedRequest> _rejectedPending = new();
    private double _now;
    private long _nextId;
    private long _nextStream;
    private long _submitted;
    private long _completed;
    private long _rejected;

    private Simulator(SimulationOptions options, IStepCostModel cost, IWorkload workload, IRecordSink? sink)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid simulation options:\n  " + string.Join("\n  ", errors), nameof(options));
        _options = options;
        _workload = workload;
        _sink = sink;
        _horizon = options.Horizon.Seconds;
        _root = SimRandom.FromSeed(options.Seed);
        _replicas = new Replica[options.Replicas];
        for (var i = 0; i < _replicas.Length; i++)
            _replicas[i] = new Replica(i, options.Engine, cost, this, options.KeepInterTokenGaps);
        _router = new FleetRouter(options.Routing, _replicas, options.AffinitySaturation ?? options.Engine.MaxNumSeqs);
    }

    /// <summary>Runs <paramref name="workload"/> on the fleet until every submitted request has finished.</summary>
    public static SimulationResult Run(SimulationOptions options, IStepCostModel cost, IWorkload workload, IRecordSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(workload);
        var sim = new Simulator(options, cost, workload, sink);
        return sim.Loop();
    }

    /// <summary>Runs and also returns the replicas' final state, for tests of the engine's invariants.</summary>
    internal static (SimulationResult Result, IReadOnlyList<Replica> Replicas) RunInspectable(SimulationOptions options, IStepCostModel cost, IWorkload workload, IRecordSink? sink = null)
    {
        var sim = new Simulator(options, cost, workload, sink);
        return (sim.Loop(), sim._replicas);
    }

    SimTime IWorkloadContext.Now => SimTime.FromSeconds(_now);

    SimTime IWorkloadContext.Horizon => SimTime.FromSeconds(_horizon);

    long IWorkloadContext.Submit(in RequestSpec request)
    {
        if (_now > _horizon || (_options.MaxRequests is { } max && _submitted >= max))
            return -1;
        if (request.InputTokens < 1 || request.OutputTokens < 1)
            throw new ArgumentException($"a request needs at least 1 input and 1 output token, got {request.InputTokens} in, {request.OutputTokens} out.", nameof(request));

        _submitted++;
        var r = new SimRequest
        {
            Id = _nextId++,
            Spec = request,
            Stream = request.Stream != 0 ? request.Stream : NewStream(),
            // Named content (a session's stream, or explicit block keys) may be reused: register and look up every block.
            SharedStream = request.Stream != 0 || request.BlockKeys is { Length: > 0 },
            SentSeconds = _now,
            ScheduledSeconds = request.ScheduledSeconds ?? _now,
            Gaps = _options.KeepInterTokenGaps ? [] : null,
        };

        if (request.InputTokens + request.OutputTokens > _replicas[0].MaxTokensPerRequest)
        {
            Reject(r);
            return r.Id;
        }

        var replica = _replicas[_router.Route(request.Session)];
        replica.Enqueue(r);
        if (!replica.Busy && !replica.WakePending)
        {
            // Wake on a queued event rather than at once, so requests arriving at the same instant share a step.
            replica.WakePending = true;
            Push(_now, new Event(EventKind.Wake, replica.Index, 0));
        }

        return r.Id;
    }

    void IWorkloadContext.ScheduleTimer(SimTime at, long token)
    {
        if (at.Seconds <= _horizon)
            Push(Math.Max(at.Seconds, _now), new Event(EventKind.Timer, -1, token));
    }

    long IWorkloadContext.NewStreamId() => NewStream();

    SimRandom IWorkloadContext.Random(ulong stream) => _root.Split(stream);

    void IReplicaHost.ScheduleStepEnd(Replica replica, double at) => Push(at, new Event(EventKind.StepEnd, replica.Index, 0));

    void IReplicaHost.Finished(SimRequest request, double now)
    {
        _completed++;
        _sink?.Add(ToRecord(request));
        _workload.OnCompleted(new CompletedRequest(request.Id, request.Spec, now, false), this);
    }

    private SimulationResult Loop()
    {
        _workload.Start(this);
        while (_queue.TryDequeue(out var ev, out var time))
        {
            _now = time;
            switch (ev.Kind)
            {
                case EventKind.StepEnd:
                    _replicas[ev.Replica].EndStep(_now);
                    break;
                case EventKind.Wake:
                    var replica = _replicas[ev.Replica];
                    replica.WakePending = false;
                    replica.TryStartStep(_now);
                    break;
                case EventKind.Rejected:
                    _workload.OnCompleted(_rejectedPending.Dequeue(), this);
                    break;
                default:
                    _workload.OnTimer(ev.Token, this);
                    break;
            }
        }

        var stats = new ReplicaStats[_replicas.Length];
        for (var i = 0; i < stats.Length; i++)
        {
            var c = _replicas[i].Counters;
            stats[i] = new ReplicaStats(
                i,
                c.Steps,
                c.BusySeconds,
                _now > 0 ? c.BusySeconds / _now : 0,
                _now > 0 ? c.KvUsageSeconds / _now : 0,
                c.PeakKvUsage,
                c.Preemptions,
                c.Completed,
                c.PromptTokens,
                c.CachedPromptTokens,
                c.PrefillTokens,
                c.DecodeTokens);
        }

        return new SimulationResult(_submitted, _completed, _rejected, _now, stats);
    }

    private void Reject(SimRequest r)
    {
        _rejected++;
        _sink?.Add(new RequestRecord
        {
            Id = r.Id,
            Outcome = RequestOutcome.Error,
            ErrorClass = "too_long",
            ScheduledSeconds = r.ScheduledSeconds,
            SendSeconds = r.SentSeconds,
            EndSeconds = r.SentSeconds,
            InputTokens = r.Spec.InputTokens,
            OutputTokens = 0,
            OutputTokensSource = TokenCountSource.Simulated,
            RequestedOutputTokens = r.Spec.OutputTokens,
            SessionId = SessionText(r.Spec.Session),
        });

        // Tell the workload through the queue, not from inside its own Submit call (no re-entrancy, no recursion).
        _rejectedPending.Enqueue(new CompletedRequest(r.Id, r.Spec, _now, true));
        Push(_now, new Event(EventKind.Rejected, -1, 0));
    }

    private static RequestRecord ToRecord(SimRequest r) => new()
    {
        Id = r.Id,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = r.ScheduledSeconds,
        SendSeconds = r.SentSeconds,
        FirstTokenSeconds = r.FirstTokenSeconds,
        LastTokenSeconds = r.LastTokenSeconds,
        EndSeconds = r.LastTokenSeconds,
        InputTokens = r.Spec.InputTokens,
        OutputTokens = r.Spec.OutputTokens,
        OutputTokensSource = TokenCountSource.Simulated,
        RequestedOutputTokens = r.Spec.OutputTokens,
        CachedInputTokens = r.CachedInputTokens,
        Preemptions = r.Preemptions,
        InterTokenGaps = (IReadOnlyList<double>?)r.Gaps ?? [],
        SessionId = SessionText(r.Spec.Session),
        Replica = r.Replica,
    };

    private static string? SessionText(long session) => session >= 0 ? session.ToString(CultureInfo.InvariantCulture) : null;

    private long NewStream()
    {
        // Block keys pack the stream into the top 40 bits (see Replica.KeyOf).
        if (++_nextStream >= 1L << 39)
            throw new InvalidOperationException("more than 2^39 content streams in one run.");
        return _nextStream;
    }

    // Wake-ups sort after every other event at the same instant, so all requests that arrive then share the step.
    private void Push(double time, Event ev) => _queue.Enqueue(time, ev.Kind == EventKind.Wake ? 1 : 0, ev);

    private enum EventKind : byte
    {
        Timer,
        StepEnd,
        Wake,
        Rejected,
    }

    private readonly record struct Event(EventKind Kind, int Replica, long Token);
}
