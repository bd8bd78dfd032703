using Tpd.Model.Roofline;

namespace Tpd.Simulation.Engine;

/// <summary>The fleet's side of a replica: it schedules the replica's step ends and takes finished requests.</summary>
internal interface IReplicaHost
{
    void ScheduleStepEnd(Replica replica, double at);

    void Finished(SimRequest request, double now);
}

/// <summary>
/// Opt-in hook for a live engine that streams tokens: called at the end of every step, after the step's tokens are
/// applied and before the next step is planned, so it may read progress (<see cref="Replica.OutputOf"/>) and cancel
/// requests (<see cref="Replica.Cancel"/>). Batch simulation leaves it unset and pays nothing for it.
/// </summary>
internal interface IStepObserver
{
    void StepEnded(Replica replica, double now);
}

/// <summary>
/// One engine replica scheduling like vLLM v1's Scheduler.schedule() (vllm/v1/core/sched/scheduler.py), FCFS:
/// running requests first (every decode takes one token of the budget; a request part-way through a chunked
/// prefill takes what is left), then waiting requests in order while the token budget, max_num_seqs and free KV
/// blocks allow (head-of-line: the first that does not fit stops admission). When a running request needs a block
/// and none is free, the newest running request is preempted (recompute: its blocks are freed, it rejoins the front
/// of the waiting queue and later redoes its prefill over prompt and generated tokens, usually hitting its own
/// still-cached blocks), and no new request is admitted in that step. The step that completes a prefill samples the
/// request's first token; every later step samples one token per decoding request.
/// </summary>
internal sealed class Replica
{
    private readonly EngineOptions _options;
    private readonly IStepCostModel _cost;
    private readonly IReplicaHost _host;
    private readonly bool _keepGaps;
    private readonly int _blockSize;
    private readonly int _watermarkBlocks;
    private readonly BlockPool _pool;
    private readonly Deque<SimRequest> _waiting = new();
    private readonly List<SimRequest> _prefilling = [];
    private readonly List<SimRequest> _stepPrefills = [];

    // Decoders grouped by the step (mod block size) at which they fill a block: each decoder comes up once per
    // block, not once per token, and without a heap.
    private readonly List<SimRequest>[] _phases;
    private readonly List<int> _hitBlocks = [];
    private readonly PriorityQueue<(SimRequest Request, int Generation), long> _finishAt = new();
    private readonly List<double>? _stepEnds;

    private SimRequest? _runHead;
    private SimRequest? _runTail;
    private int _cancelledWaiting;
    private long _steps;
    private int _decoding;
    private long _decodeComputed;
    private double _stepStart;
    private double _lastStepEnd;

    public Replica(int index, EngineOptions options, IStepCostModel cost, IReplicaHost host, bool keepGaps)
    {
        Index = index;
        _options = options;
        _cost = cost;
        _host = host;
        _keepGaps = keepGaps;
        _blockSize = options.BlockSize;
        _pool = new BlockPool(options.KvBlocks);
        _phases = new List<SimRequest>[_blockSize];
        for (var i = 0; i < _blockSize; i++)
            _phases[i] = [];
        _watermarkBlocks = (int)(options.Watermark * options.KvBlocks);
        _stepEnds = keepGaps ? [] : null;
        var fit = (long)(options.KvBlocks - _watermarkBlocks) * _blockSize;
        MaxTokensPerRequest = (int)Math.Min(options.MaxModelLen ?? int.MaxValue, fit);
    }

    public int Index { get; }

    /// <summary>Longest prompt + output this replica can ever hold (max_model_len, or the KV cache less the watermark).</summary>
    public int MaxTokensPerRequest { get; }

    public bool Busy { get; private set; }

    /// <summary>True while a wake-up event for this idle replica is queued.</summary>
    public bool WakePending { get; set; }

    public int Running { get; private set; }

    public int Waiting => _waiting.Count - _cancelledWaiting;

    public int Outstanding => Running + Waiting;

    /// <summary>Live mode only: told at every step end (null in batch simulation).</summary>
    public IStepObserver? Observer { get; set; }

    /// <summary>The oldest running request; follow <see cref="SimRequest.Next"/> for the rest, in admission order.</summary>
    public SimRequest? RunningHead => _runHead;

    /// <summary>Output tokens generated so far, including those a decoding request has not yet settled.</summary>
    public int OutputOf(SimRequest r) => r.Decoding ? r.BaseOutput + (int)(_steps - r.BaseStep) : r.Output;

    /// <summary>
    /// Removes a request that is waiting or running (an aborted request, as vLLM's abort_requests): its KV blocks go
    /// back to the pool at once. Call only between steps (from <see cref="IStepObserver.StepEnded"/>, or while the
    /// replica is idle); a waiting request is dropped lazily when it reaches the head of the queue.
    /// </summary>
    public void Cancel(SimRequest r)
    {
        switch (r.State)
        {
            case RequestState.Waiting:
                r.State = RequestState.Done;
                _cancelledWaiting++;
                break;
            case RequestState.Running:
                if (r.Decoding)
                    SettleDecoder(r);
                RemoveRunning(r);
                ReleaseBlocks(r, preempted: false);
                r.Generation++;
                r.Chunk = 0;
                r.State = RequestState.Done;
                break;
        }
    }

    public double KvUsage => (double)_pool.UsedCount / _pool.Capacity;

    internal BlockPool Pool => _pool;

    public ReplicaCounters Counters { get; } = new();

    public void Enqueue(SimRequest request)
    {
        if (request.Blocks.Length == 0)
            request.Blocks = new int[BlocksFor(request.Spec.InputTokens + request.Spec.OutputTokens)];
        request.State = RequestState.Waiting;
        request.Replica = Index;
        _waiting.AddLast(request);
        Counters.PromptTokens += request.Spec.InputTokens;
    }

    /// <summary>Starts a step at <paramref name="now"/> if there is work; otherwise the replica idles.</summary>
    public void TryStartStep(double now)
    {
        if (Busy)
            return;

        var budget = _options.MaxNumBatchedTokens;
        var preempted = false;
        var step = _steps;
        _stepPrefills.Clear();

        // 1. Decodes that cross into a new block this step; if blocks are short, preempt the newest running requests.
        var crossing = _phases[(int)(step % _blockSize)];
        while (_pool.FreeCount < crossing.Count)
        {
            Preempt(_runTail!);
            preempted = true;
        }

        foreach (var r in crossing)
        {
            var computed = r.BaseComputed + (int)(step - r.BaseStep);
            var full = (computed / _blockSize) - 1;
            if (full >= 0)
                Register(r, full);
            _pool.TakeAnonymous(1);
            r.BlockCount++;
        }

        budget -= _decoding;

        // 2. Requests part-way through a chunked prefill, in admission order.
        for (var i = 0; i < _prefilling.Count; i++)
        {
            var r = _prefilling[i];
            if (r.State != RequestState.Running || budget == 0)
                continue;
            var chunk = Math.Min(r.PrefillTarget - r.Computed, budget);
            var need = BlocksFor(r.Computed + chunk) - r.BlockCount;
            while (_pool.FreeCount < need && r.State == RequestState.Running)
            {
                var victim = _runTail!;
                budget += victim.Decoding ? 1 : victim.Chunk;
                Preempt(victim);
                preempted = true;
            }

            if (r.State != RequestState.Running)
                continue;
            Schedule(r, chunk, need);
            budget -= chunk;
        }

        CompactPrefilling();

        // 3. Waiting requests, FCFS, unless this step preempted (vLLM skips admission then).
        if (!preempted)
            budget = Admit(budget);

        if (_decoding == 0 && _stepPrefills.Count == 0)
            return;

        var shape = BuildShape();
        var seconds = _cost.StepTime(shape).Seconds;
        if (!(seconds > 0) || !double.IsFinite(seconds))
            throw new InvalidOperationException($"the step cost model returned {seconds} s for {shape}; a step must take a positive, finite time.");
        Busy = true;
        _stepStart = now;
        _host.ScheduleStepEnd(this, now + seconds);
    }

    /// <summary>Applies the step that started earlier and ends at <paramref name="now"/>, then starts the next.</summary>
    public void EndStep(double now)
    {
        var step = _steps++;
        _stepEnds?.Add(now);
        _lastStepEnd = now;
        var dt = now - _stepStart;
        Counters.Steps++;
        Counters.BusySeconds += dt;
        Counters.KvUsageSeconds += KvUsage * dt;
        Counters.PeakKvUsage = Math.Max(Counters.PeakKvUsage, KvUsage);
        Counters.DecodeTokens += _decoding;
        _decodeComputed += _decoding;

        while (_finishAt.TryPeek(out var entry, out var at) && at <= step)
        {
            _finishAt.Dequeue();
            if (entry.Generation == entry.Request.Generation && entry.Request.Decoding)
                FinishDecoder(entry.Request, now);
        }

        foreach (var r in _stepPrefills)
        {
            if (r.State != RequestState.Running || r.Chunk == 0)
                continue;
            r.Computed += r.Chunk;
            Counters.PrefillTokens += r.Chunk;
            r.Chunk = 0;
            if (r.Computed < r.PrefillTarget)
                continue;

            EmitToken(r, now);
            if (r.Output >= r.Spec.OutputTokens)
            {
                Complete(r, now);
                continue;
            }

            r.Decoding = true;
            r.BaseStep = step + 1;
            r.BaseComputed = r.Computed;
            r.BaseOutput = r.Output;
            r.FinishStep = r.BaseStep + (r.Spec.OutputTokens - r.Output) - 1;
            _finishAt.Enqueue((r, r.Generation), r.FinishStep);
            // It needs a new block at the steps s where (Computed + s - BaseStep) is a multiple of the block size.
            var phase = _phases[(int)(((r.BaseStep - r.Computed) % _blockSize + _blockSize) % _blockSize)];
            r.PhaseSlot = phase.Count;
            phase.Add(r);
            _decoding++;
            _decodeComputed += r.Computed;
        }

        _stepPrefills.Clear();
        CompactPrefilling();
        Observer?.StepEnded(this, now);
        Busy = false;
        TryStartStep(now);
    }

    private int Admit(int budget)
    {
        while (_waiting.Count > 0 && budget > 0 && Running < _options.MaxNumSeqs)
        {
            var r = _waiting.First;
            if (r.State == RequestState.Done)
            {
                // Cancelled while waiting (live mode only).
                _waiting.RemoveFirst();
                _cancelledWaiting--;
                continue;
            }

            var target = r.PrefillTarget;
            var hits = _options.EnablePrefixCaching ? FindHits(r, target) : 0;
            var hitTokens = hits * _blockSize;
            var chunk = Math.Min(target - hitTokens, budget);
            var need = BlocksFor(hitTokens + chunk) - hits;
            var evictableHits = 0;
            foreach (var b in _hitBlocks)
            {
                if (_pool.IsFree(b))
                    evictableHits++;
            }

            if (need + evictableHits > _pool.FreeCount - _watermarkBlocks)
                break;

            _waiting.RemoveFirst();
            foreach (var b in _hitBlocks)
            {
                _pool.Touch(b);
                r.Blocks[r.BlockCount++] = b + 1;
                r.IdentifiedBlocks++;
            }

            if (r.Preemptions == 0)
            {
                r.CachedInputTokens = Math.Min(hitTokens, r.Spec.InputTokens);
                Counters.CachedPromptTokens += r.CachedInputTokens;
            }

            r.Computed = hitTokens;
            r.State = RequestState.Running;
            AppendRunning(r);
            _prefilling.Add(r);
            Schedule(r, chunk, need);
            budget -= chunk;
        }

        return budget;
    }

    private int FindHits(SimRequest r, int target)
    {
        _hitBlocks.Clear();
        var maxHits = (target - 1) / _blockSize;

        // Content of a private stream is only ever registered when its request is preempted (see Register), so a
        // fresh private request can hit nothing past the shared prefix: skip the lookups.
        if (!r.SharedStream && r.Preemptions == 0)
            maxHits = Math.Min(maxHits, r.Spec.SharedPrefixTokens / _blockSize);
        for (var j = 0; j < maxHits; j++)
        {
            var b = _pool.Lookup(KeyOf(r, j));
            if (b < 0)
                break;
            _hitBlocks.Add(b);
        }

        return _hitBlocks.Count;
    }

    private void Schedule(SimRequest r, int chunk, int newBlocks)
    {
        _pool.TakeAnonymous(newBlocks);
        r.BlockCount += newBlocks;
        for (var j = r.Computed / _blockSize; j < (r.Computed + chunk) / _blockSize; j++)
            Register(r, j);
        r.Chunk = chunk;
        _stepPrefills.Add(r);
    }

    private StepShape BuildShape()
    {
        var tokens = 0;
        var seqs = 0;
        double attended = 0;
        double cached = 0;
        foreach (var r in _stepPrefills)
        {
            if (r.State != RequestState.Running || r.Chunk == 0)
                continue;
            tokens += r.Chunk;
            seqs++;
            attended += ((double)r.Chunk * r.Computed) + ((double)r.Chunk * (r.Chunk + 1) / 2);
            cached += r.Computed;
        }

        return new StepShape(tokens, seqs, attended, cached, _decoding, _decodeComputed + _decoding);
    }

    private static void EmitToken(SimRequest r, double now)
    {
        r.Output++;
        if (double.IsNaN(r.FirstTokenSeconds))
            r.FirstTokenSeconds = now;
        else
            r.Gaps?.Add(now - r.LastTokenSeconds);
        r.LastTokenSeconds = now;
    }

    /// <summary>Brings a decoding request's lazily tracked progress up to date as of the current step count.</summary>
    private void SettleDecoder(SimRequest r)
    {
        var done = (int)(_steps - r.BaseStep);
        if (r.Gaps is not null && _stepEnds is not null)
        {
            for (var k = r.BaseStep; k < _steps; k++)
            {
                var t = _stepEnds[(int)k];
                r.Gaps.Add(t - r.LastTokenSeconds);
                r.LastTokenSeconds = t;
            }
        }
        else if (done > 0)
        {
            r.LastTokenSeconds = _lastStepEnd;
        }

        r.Computed = r.BaseComputed + done;
        r.Output = r.BaseOutput + done;
        r.Decoding = false;
        var phase = _phases[(int)(((r.BaseStep - r.BaseComputed) % _blockSize + _blockSize) % _blockSize)];
        var last = phase[^1];
        phase[r.PhaseSlot] = last;
        last.PhaseSlot = r.PhaseSlot;
        phase.RemoveAt(phase.Count - 1);
        _decoding--;
        _decodeComputed -= r.Computed;
    }

    private void FinishDecoder(SimRequest r, double now)
    {
        SettleDecoder(r);
        r.LastTokenSeconds = now;
        Complete(r, now);
    }

    private void Complete(SimRequest r, double now)
    {
        RemoveRunning(r);
        ReleaseBlocks(r, preempted: false);
        r.State = RequestState.Done;
        Counters.Completed++;
        _host.Finished(r, now);
    }

    private void Preempt(SimRequest r)
    {
        if (r.Decoding)
            SettleDecoder(r);

        RemoveRunning(r);
        r.State = RequestState.Waiting;
        ReleaseBlocks(r, preempted: true);
        r.Generation++;
        r.Computed = 0;
        r.Chunk = 0;
        r.Preemptions++;
        r.State = RequestState.Waiting;
        Counters.Preemptions++;
        _waiting.AddFirst(r);
    }

    private void ReleaseBlocks(SimRequest r, bool preempted)
    {
        var full = r.Computed / _blockSize;
        if (preempted && !r.SharedStream)
        {
            // A preempted private request will look for its own blocks when it recomputes (vLLM keeps their
            // hashes); register them now, which they skipped while nobody else could want them.
            for (var j = 0; j < full && j < r.BlockCount; j++)
                Register(r, j);
        }
        else if (full > 0 && full <= r.BlockCount)
        {
            Register(r, full - 1);
        }

        // Newest blocks first into the eviction queue, so they are evicted first (vLLM frees in reverse order).
        var anonymous = r.BlockCount;
        if (r.IdentifiedBlocks > 0)
        {
            for (var i = r.BlockCount - 1; i >= 0; i--)
            {
                if (r.Blocks[i] != 0)
                {
                    _pool.Release(r.Blocks[i] - 1);
                    r.Blocks[i] = 0;
                    anonymous--;
                }
            }
        }

        _pool.ReleaseAnonymous(anonymous);
        r.BlockCount = 0;
        r.IdentifiedBlocks = 0;
    }

    /// <summary>
    /// Makes a full block findable by content. Blocks of a private stream (a request with content of its own) are
    /// registered only when they could be found: in the shared prefix, or once the request is preempted. This is
    /// what vLLM's cache holds, minus entries no lookup could ever hit, and saves most of the hashing.
    /// </summary>
    private void Register(SimRequest r, int blockIndex)
    {
        if (!_options.EnablePrefixCaching)
            return;
        var inPrefix = (blockIndex + 1) * _blockSize <= r.Spec.SharedPrefixTokens;
        if (!(inPrefix || r.SharedStream || r.Preemptions > 0 || r.State == RequestState.Waiting) || r.Blocks[blockIndex] != 0)
            return;
        var id = _pool.Identify(KeyOf(r, blockIndex));
        if (id >= 0)
        {
            r.Blocks[blockIndex] = id + 1;
            r.IdentifiedBlocks++;
        }
    }

    private long KeyOf(SimRequest r, int blockIndex)
    {
        // Content keys from the caller (the twin hashes real prompt tokens); a length test is all the batch path pays.
        if (r.Spec.BlockKeys is { } keys && blockIndex < keys.Length)
            return keys[blockIndex];
        var stream = (blockIndex + 1) * _blockSize <= r.Spec.SharedPrefixTokens ? r.Spec.SharedPrefixStream : r.Stream;
        return (stream << 24) | (uint)blockIndex;
    }

    private int BlocksFor(int tokens) => (tokens + _blockSize - 1) / _blockSize;

    private void CompactPrefilling()
    {
        var w = 0;
        for (var i = 0; i < _prefilling.Count; i++)
        {
            var r = _prefilling[i];
            if (r.State == RequestState.Running && !r.Decoding)
                _prefilling[w++] = r;
        }

        _prefilling.RemoveRange(w, _prefilling.Count - w);
    }

    private void AppendRunning(SimRequest r)
    {
        r.Prev = _runTail;
        r.Next = null;
        if (_runTail is null)
            _runHead = r;
        else
            _runTail.Next = r;
        _runTail = r;
        Running++;
    }

    private void RemoveRunning(SimRequest r)
    {
        if (r.Prev is null)
            _runHead = r.Next;
        else
            r.Prev.Next = r.Next;
        if (r.Next is null)
            _runTail = r.Prev;
        else
            r.Next.Prev = r.Prev;
        r.Prev = r.Next = null;
        Running--;
    }
}

/// <summary>Running totals of one replica (mutable inside the engine, copied into the result).</summary>
internal sealed class ReplicaCounters
{
    public long Steps;
    public double BusySeconds;
    public double KvUsageSeconds;
    public double PeakKvUsage;
    public long Preemptions;
    public long Completed;
    public long PromptTokens;
    public long CachedPromptTokens;
    public long PrefillTokens;
    public long DecodeTokens;
}
