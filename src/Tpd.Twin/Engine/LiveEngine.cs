using System.Collections.Concurrent;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Workloads;

namespace Tpd.Twin.Engine;

/// <summary>Gauges of a live replica at one instant.</summary>
/// <param name="Running">Requests in the batch.</param>
/// <param name="Waiting">Requests queued for admission.</param>
/// <param name="KvUsage">Share of KV blocks held, 0 to 1.</param>
/// <param name="Preemptions">Preemptions so far.</param>
/// <param name="Steps">Engine steps so far.</param>
/// <param name="Completed">Requests that produced all their tokens.</param>
/// <param name="PrefixCacheQueries">Prompt tokens of the requests admitted so far (each counted once, at its first admission): vLLM's prefix cache queries, in tokens.</param>
/// <param name="PrefixCacheHits">Of those, tokens found in the prefix cache (full blocks only, never the last prompt token): vLLM's prefix cache hits.</param>
public readonly record struct LiveEngineStats(int Running, int Waiting, double KvUsage, long Preemptions, long Steps, long Completed, long PrefixCacheQueries = 0, long PrefixCacheHits = 0);

/// <summary>
/// The same <see cref="SteppedReplica"/> scheduler and the same step cost model as `tpd simulate`, played on the wall
/// clock: a step that the model prices at t seconds ends t / time-factor wall seconds after it starts, and the tokens
/// it generates are published to their requests then. One engine thread owns the replica; submission and
/// cancellation from any thread go through an inbox. Simulated time never runs ahead of the wall clock; when the
/// thread falls behind (a slow machine), steps run back to back until it catches up, so late delivery never shifts
/// later steps.
/// </summary>
public sealed class LiveEngine : IDisposable
{
    private readonly LiveEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly SteppedReplica _replica;
    private readonly ConcurrentQueue<(LiveRequest Request, bool Cancel)> _inbox = new();
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly HashSet<LiveRequest> _live = new(ReferenceEqualityComparer.Instance);
    private readonly List<LiveRequest> _pendingCancels = [];
    private readonly Lock _statsLock = new();
    private readonly Random _spikes;
    private readonly long _origin;
    private readonly double _factor;
    private Thread? _thread;
    private volatile bool _stopping;
    private StepFaults _faults = StepFaults.None;
    private LiveEngineStats _stats;
    private double _simNow;
    private long _cacheQueries;
    private long _cacheHits;

    public LiveEngine(LiveEngineOptions options, IStepCostModel cost, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(time);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid live engine options:\n  " + string.Join("\n  ", errors), nameof(options));
        _options = options;
        _time = time;
        _factor = options.TimeFactor;
        _spikes = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        _replica = new SteppedReplica(options.Engine, new FaultedCost(cost, this)) { Finished = Finished, StepEnded = StepEnded };
        _origin = time.GetTimestamp();
    }

    /// <summary>Longest prompt + output the replica can hold (max_model_len, or the KV cache less the watermark).</summary>
    public int MaxTokensPerRequest => _replica.MaxTokensPerRequest;

    /// <summary>KV cache capacity in tokens.</summary>
    public long KvTokens => (long)_options.Engine.KvBlocks * _options.Engine.BlockSize;

    public double TimeFactor => _factor;

    /// <summary>Slowdown and stalls applied to every later step; settable at any time from any thread.</summary>
    public StepFaults Faults
    {
        get
        {
            lock (_statsLock)
                return _faults;
        }

        set
        {
            if (!(value.Slowdown > 0) || !double.IsFinite(value.Slowdown))
                throw new ArgumentOutOfRangeException(nameof(value), value.Slowdown, "the slowdown must be a positive, finite factor such as 1.25.");
            if (!(value.SpikeProbability is >= 0 and <= 1))
                throw new ArgumentOutOfRangeException(nameof(value), value.SpikeProbability, "the spike probability must be in [0, 1].");
            if (!(value.SpikeWallSeconds >= 0) || !double.IsFinite(value.SpikeWallSeconds))
                throw new ArgumentOutOfRangeException(nameof(value), value.SpikeWallSeconds, "the spike duration must be zero or more seconds.");
            lock (_statsLock)
                _faults = value;
        }
    }

    public LiveEngineStats Stats
    {
        get
        {
            lock (_statsLock)
                return _stats;
        }
    }

    /// <summary>Wall seconds since the engine was created.</summary>
    public double NowSeconds => _time.GetElapsedTime(_origin).TotalSeconds;

    /// <summary>Starts the engine thread (once).</summary>
    public void Start()
    {
        if (_thread is not null)
            return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "tpd live engine" };
        _thread.Start();
    }

    /// <summary>Queues a request; its tokens appear on the returned handle. Throws when it can never fit.</summary>
    public LiveRequest Submit(int inputTokens, int outputTokens) => Submit(inputTokens, outputTokens, null);

    /// <summary>
    /// Queues a request whose content is known: <paramref name="blockKeys"/> are the chained keys of its full KV blocks
    /// (prompt, then output), as <see cref="RequestSpec.BlockKeys"/> describes, so a later request with the same prefix
    /// finds the blocks in the prefix cache as on vLLM. Empty: content of its own (no hits).
    /// </summary>
    public LiveRequest Submit(int inputTokens, int outputTokens, long[]? blockKeys)
    {
        if (inputTokens < 1 || outputTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(inputTokens), $"a request needs at least 1 input and 1 output token, got {inputTokens} in, {outputTokens} out.");
        if (inputTokens + outputTokens > MaxTokensPerRequest)
            throw new ArgumentOutOfRangeException(nameof(outputTokens), $"{inputTokens} + {outputTokens} tokens exceed the {MaxTokensPerRequest} tokens one request may hold.");
        var request = new LiveRequest(inputTokens, outputTokens, NowSeconds) { BlockKeys = blockKeys };
        if (_stopping)
        {
            // Shutting down: the request ends at once with no tokens (the server answers it with an error).
            request.Cancelled = true;
            request.Publish(0, finished: true, NowSeconds);
            return request;
        }

        _inbox.Enqueue((request, false));
        _signal.Set();
        return request;
    }

    /// <summary>Aborts a request (a client that went away): it leaves the queue or the batch and frees its KV blocks at the next step boundary.</summary>
    public void Cancel(LiveRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Finished || _stopping)
            return;
        _inbox.Enqueue((request, true));
        _signal.Set();
    }

    public void Dispose()
    {
        _stopping = true;
        _signal.Set();
        _thread?.Join();
        // The event is not disposed: a request handler may still call Submit or Cancel while the server stops.
        foreach (var r in _live)
            r.Publish(r.Tokens, finished: true, NowSeconds);
    }

    // Back-to-back mode: every step end is already due.
    private double WallSim() => double.IsPositiveInfinity(_factor) ? double.PositiveInfinity : NowSeconds * _factor;

    private double WallOf(double sim) => sim / _factor;

    private void Loop()
    {
        while (!_stopping)
        {
            _signal.Reset();
            if (_inbox.TryPeek(out var item))
            {
                // An arrival happens at the wall time it was submitted, not when this thread got to it: a late
                // wake-up of this thread must not show up in the request's TTFT.
                var at = item.Cancel || double.IsPositiveInfinity(_factor) ? _simNow : Math.Max(_simNow, item.Request.ArrivalSeconds * _factor);
                if (_replica.Busy && _replica.StepEnd <= at)
                {
                    EndStep();
                    continue;
                }

                _inbox.TryDequeue(out _);
                Handle(item.Request, item.Cancel, at);
                continue;
            }

            if (_replica.Busy)
            {
                if (_replica.StepEnd <= WallSim())
                    EndStep();
                else
                    WaitUntil(_replica.StepEnd);
            }
            else
            {
                _signal.Wait();
            }
        }
    }

    private void EndStep()
    {
        _simNow = _replica.StepEnd;
        _replica.EndStep();
        UpdateStats();
    }

    private void WaitUntil(double simTime)
    {
        if (double.IsPositiveInfinity(_factor))
            return;
        var remaining = WallOf(simTime) - NowSeconds;
        // A timed wait, rounded up to the next millisecond (the event's resolution): at most 1 ms late, and a
        // sleeping thread is woken promptly by the kernel. Spinning with yields was tried: on a loaded machine a
        // yielded thread can wait a whole scheduling period (tens of ms) to run again.
        if (remaining > 0)
            _signal.Wait(TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000)));
    }

    private void Handle(LiveRequest request, bool cancel, double at)
    {
        if (cancel)
        {
            if (request.Stepped is null || request.Finished)
                return;
            if (_replica.Busy)
                _pendingCancels.Add(request);
            else
                CancelNow(request);
            UpdateStats();
            return;
        }

        if (request.Finished)
            return;
        _live.Add(request);
        if (!_replica.Busy)
            _simNow = at;
        var stepped = _replica.Submit(RequestSpec.Single(request.InputTokens, request.OutputTokens) with { BlockKeys = request.BlockKeys }, at);
        stepped.Tag = request;
        request.Stepped = stepped;
        UpdateStats();
    }

    private void CancelNow(LiveRequest request)
    {
        if (request.Stepped is not { } stepped || !_live.Remove(request))
            return;
        _replica.Cancel(stepped);
        request.Cancelled = true;
        request.Publish(request.Tokens, finished: true, NowSeconds);
    }

    private void Finished(SteppedRequest request, double now)
    {
        if (request.Tag is not LiveRequest live || !_live.Remove(live))
            return;
        var wall = WallTimeOf(now);
        if (double.IsNaN(live.ScheduledSeconds))
            Admitted(live, request, WallTimeOf(_replica.StepStart));
        live.Preemptions = request.Preemptions;
        live.Publish(request.Spec.OutputTokens, finished: true, wall);
    }

    private void StepEnded(double now)
    {
        var wall = WallTimeOf(now);
        var start = WallTimeOf(_replica.StepStart);
        foreach (var r in _replica.Running)
        {
            if (r.Tag is not LiveRequest live || !_live.Contains(live))
                continue;
            if (double.IsNaN(live.ScheduledSeconds))
                Admitted(live, r, start);
            var output = _replica.OutputOf(r);
            if (output <= live.Tokens)
                continue;
            live.Preemptions = r.Preemptions;
            live.Publish(output, finished: false, wall);
        }

        foreach (var c in _pendingCancels)
            CancelNow(c);
        _pendingCancels.Clear();
    }

    /// <summary>
    /// First seen in a step: the end of queueing, and the prefix cache lookup done at admission (the replica counts
    /// hits at the first admission only, so a recompute after preemption is not counted again).
    /// </summary>
    private void Admitted(LiveRequest live, SteppedRequest r, double wallStart)
    {
        live.ScheduledSeconds = wallStart;
        live.CachedPromptTokens = r.CachedInputTokens;
        _cacheQueries += r.Spec.InputTokens;
        _cacheHits += r.CachedInputTokens;
    }

    /// <summary>Wall seconds of a simulated instant; in back-to-back mode, the wall time it happened.</summary>
    private double WallTimeOf(double sim) => double.IsPositiveInfinity(_factor) ? NowSeconds : WallOf(sim);

    private void UpdateStats()
    {
        var g = _replica.Gauges;
        lock (_statsLock)
            _stats = new LiveEngineStats(g.Running, g.Waiting, g.KvUsage, g.Preemptions, g.Steps, g.Completed, _cacheQueries, _cacheHits);
    }

    private double NextSpike(StepFaults f) =>
        f.SpikeProbability > 0 && _spikes.NextDouble() < f.SpikeProbability ? f.SpikeWallSeconds * _factor : 0;

    /// <summary>The model's step time, times the slowdown, plus a stall now and then.</summary>
    private sealed class FaultedCost(IStepCostModel inner, LiveEngine engine) : IStepCostModel
    {
        public Duration StepTime(in StepShape shape)
        {
            var seconds = inner.StepTime(shape).Seconds;
            if (double.IsPositiveInfinity(engine._factor))
                return Duration.FromSeconds(seconds);
            var f = engine.Faults;
            return Duration.FromSeconds((seconds * f.Slowdown) + engine.NextSpike(f));
        }
    }
}
