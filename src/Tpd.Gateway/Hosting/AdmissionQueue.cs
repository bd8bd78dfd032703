using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Hosting;

/// <summary>What became of a request's bid for a worker slot.</summary>
internal enum AdmitStatus
{
    /// <summary>A slot on <see cref="Admission.Worker"/> is held for the request; give it back with <see cref="AdmissionQueue.Release"/>.</summary>
    Granted,

    /// <summary>No healthy, undrained worker is left that the request has not already tried.</summary>
    NoWorker,

    /// <summary>Every worker is full and the queue already holds queue_size requests.</summary>
    QueueFull,

    /// <summary>Every worker stayed full for queue_timeout_seconds.</summary>
    TimedOut,
}

/// <summary>The outcome of <see cref="AdmissionQueue.AdmitAsync"/>.</summary>
/// <param name="Status">Served, or why not.</param>
/// <param name="Worker">The worker whose slot is held when <paramref name="Status"/> is <see cref="AdmitStatus.Granted"/>.</param>
/// <param name="Place">The waiter's place in line when it was served from the queue (a Stopwatch timestamp); 0 when it never waited.</param>
internal readonly record struct Admission(AdmitStatus Status, WorkerState? Worker, long Place = 0)
{
    public static Admission Grant(WorkerState worker, long place = 0) => new(AdmitStatus.Granted, worker, place);
}

/// <summary>
/// Strict first-come, first-served admission to worker slots, with hand-off. While nobody waits, a request routes
/// and takes a slot without a lock (a volatile read of the depth, the policy, the slot's Interlocked increment).
/// Once anyone waits, every newcomer joins the queue behind them instead of routing, and a freed slot is handed to
/// the oldest waiter
/// that can use it: the releaser re-runs the routing policy for that waiter (it needs a slot on whichever worker the
/// policy picks, not on the worker that freed one) and takes the slot on its behalf before waking it, so a woken
/// waiter never races a newcomer for the slot.
/// <para>
/// Order is by place in line: the moment a request joins the queue (not its HTTP arrival, so a client still
/// uploading a large body does not jump ahead of those who queued meanwhile), except that a retry after a failed
/// attempt keeps the place it had when first admitted, which is normally the head. A waiter that cannot use a free slot (it already tried that worker) lets the next waiter
/// have it. No wake-up is missed: a waiter counts itself in <see cref="Depth"/> with a full fence before routing
/// under the lock, and a releaser gives back the slot with a full fence before reading <see cref="Depth"/>, so
/// either the waiter's routing sees the free slot or the releaser sees the waiter and dispatches (Dekker).
/// </para>
/// </summary>
internal sealed class AdmissionQueue
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly WorkerPicker _router;
    private readonly Func<Snapshot> _current;
    private int _waiting;

    public AdmissionQueue(WorkerPicker router, Func<Snapshot> current)
    {
        _router = router;
        _current = current;
    }

    /// <summary>Requests waiting for a slot.</summary>
    public int Depth => Volatile.Read(ref _waiting);

    /// <summary>
    /// A slot for the request, routed by the current policy among eligible workers with room that are not in
    /// <paramref name="tried"/>; when every such worker is full, waits in line for up to <paramref name="queueTimeout"/>
    /// after <paramref name="arrival"/> (a Stopwatch timestamp). <paramref name="place"/> is 0 for a first attempt
    /// (the queue stamps the request when it joins) and, for a retry, the place it had when first admitted. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires while waiting (the place, or a slot
    /// handed over meanwhile, is given back).
    /// </summary>
    public ValueTask<Admission> AdmitAsync(in RouteKey key, ulong tried, long place, long arrival, int capacity, TimeSpan queueTimeout, TimeProvider time, CancellationToken ct)
    {
        if (TryFast(key, tried, out var worker))
            return new ValueTask<Admission>(Admission.Grant(worker));
        var waiter = Enter(key, tried, place, capacity);
        if (waiter.Task.IsCompleted)
            return new ValueTask<Admission>(waiter.Task.Result);
        return WaitAsync(waiter, queueTimeout - Stopwatch.GetElapsedTime(arrival), time, ct);
    }

    /// <summary>
    /// The lock-free path, taken only while nobody waits: route and take the slot. False when someone waits, no
    /// worker has room, or the last slot went to another request between routing and taking it (that failed take
    /// may have hidden the slot from a dispatch, so the caller must go on to <see cref="Enter"/>, which routes again
    /// under the lock).
    /// </summary>
    internal bool TryFast(in RouteKey key, ulong tried, [NotNullWhen(true)] out WorkerState? worker)
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            var s = _current();
            var w = _router.Pick(s.Config.Routing.Policy, s.Workers, key, tried);
            if (w is not null && w.TryEnter(key.EstimatedTokens))
            {
                worker = w;
                return true;
            }
        }
        worker = null;
        return false;
    }

    /// <summary>Gives a slot back; when anyone waits, hands it (or another slot the policy prefers) to the oldest waiter that can use it.</summary>
    public void Release(WorkerState worker, long tokens)
    {
        worker.Exit(tokens); // Interlocked: a full fence before reading _waiting (see the class comment)
        if (Volatile.Read(ref _waiting) != 0)
            DispatchAll();
    }

    /// <summary>
    /// Capacity or eligibility changed (a worker readmitted, drained or ejected, a reload): serve whoever can be
    /// served now, and tell waiters that no eligible worker is left for them.
    /// </summary>
    public void Dispatch()
    {
        if (Volatile.Read(ref _waiting) != 0)
            DispatchAll();
    }

    /// <summary>
    /// Joins the queue at <paramref name="place"/> (0: now, behind everyone waiting) and routes every waiter that can
    /// be served, this one included. The waiter's task is complete on return when it was served, refused (queue full)
    /// or has no eligible worker.
    /// </summary>
    internal Waiter Enter(in RouteKey key, ulong tried, long place, int capacity)
    {
        lock (_lock)
        {
            var waiter = new Waiter(key, tried, place != 0 ? place : Stopwatch.GetTimestamp());
            // Counted before routing (a full fence): a releaser from now on sees a waiter and dispatches.
            Interlocked.Increment(ref _waiting);
            Insert(waiter);
            var s = _current();
            DispatchLocked(s);
            if (waiter.Node is not null)
            {
                if (!AnyEligible(s.Workers, tried))
                {
                    Remove(waiter);
                    waiter.TrySetResult(new Admission(AdmitStatus.NoWorker, null));
                }
                else if (_waiters.Count > capacity)
                {
                    Remove(waiter);
                    waiter.TrySetResult(new Admission(AdmitStatus.QueueFull, null));
                }
            }
            return waiter;
        }
    }

    /// <summary>Leaves the queue; false when the waiter was already served (its task holds the result to honour or release).</summary>
    internal bool Withdraw(Waiter waiter, AdmitStatus why)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
                return false;
            Remove(waiter);
        }
        // Nothing awaits this any more; completing it keeps the task from dangling. No dispatch: leaving frees no slot.
        waiter.TrySetResult(new Admission(why, null));
        return true;
    }

    private async ValueTask<Admission> WaitAsync(Waiter waiter, TimeSpan remaining, TimeProvider time, CancellationToken ct)
    {
        try
        {
            if (remaining > TimeSpan.Zero)
                return await waiter.Task.WaitAsync(remaining, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // fall through: leave the queue unless a slot was handed over meanwhile
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (!Withdraw(waiter, AdmitStatus.TimedOut))
            {
                // Served while the client left: the slot was taken on its behalf, so give it back (to the next waiter).
                var served = await waiter.Task.ConfigureAwait(false);
                if (served is { Status: AdmitStatus.Granted, Worker: { } w })
                    Release(w, waiter.Key.EstimatedTokens);
            }
            throw;
        }
        if (Withdraw(waiter, AdmitStatus.TimedOut))
            return new Admission(AdmitStatus.TimedOut, null);
        return await waiter.Task.ConfigureAwait(false); // served as the time ran out: take it
    }

    private void DispatchAll()
    {
        lock (_lock)
            DispatchLocked(_current());
    }

    /// <summary>
    /// Serves waiters in order. Stops at the first waiter with nothing tried that finds no slot: no worker has room,
    /// so nobody behind it can be served either (a tried set only removes workers). Waiters before it that tried
    /// every worker with room are skipped, not stopped at: the slot goes to the next one that can use it.
    /// </summary>
    private void DispatchLocked(Snapshot s)
    {
        var node = _waiters.First;
        while (node is not null)
        {
            var next = node.Next;
            var waiter = node.Value;
            var worker = PickAndEnter(s, waiter);
            if (worker is not null)
            {
                Remove(waiter);
                waiter.TrySetResult(Admission.Grant(worker, waiter.Place));
            }
            else if (!AnyEligible(s.Workers, waiter.Tried))
            {
                Remove(waiter);
                waiter.TrySetResult(new Admission(AdmitStatus.NoWorker, null));
            }
            else if (waiter.Tried == 0)
            {
                return;
            }
            node = next;
        }
    }

    private WorkerState? PickAndEnter(Snapshot s, Waiter waiter)
    {
        while (true)
        {
            var w = _router.Pick(s.Config.Routing.Policy, s.Workers, waiter.Key, waiter.Tried);
            if (w is null)
                return null;
            if (w.TryEnter(waiter.Key.EstimatedTokens))
                return w;
            // A request that routed before this waiter queued took the slot between Pick and TryEnter: pick again.
        }
    }

    private static bool AnyEligible(WorkerState[] workers, ulong tried)
    {
        for (var i = 0; i < workers.Length; i++)
        {
            if (workers[i].Eligible && (i >= 64 || (tried & (1UL << i)) == 0))
                return true;
        }
        return false;
    }

    /// <summary>After the last waiter with an earlier or equal place (usually the tail; for a retry usually the head).</summary>
    private void Insert(Waiter waiter)
    {
        var node = _waiters.Last;
        while (node is not null && node.Value.Place > waiter.Place)
            node = node.Previous;
        waiter.Node = node is null ? _waiters.AddFirst(waiter) : _waiters.AddAfter(node, waiter);
    }

    private void Remove(Waiter waiter)
    {
        _waiters.Remove(waiter.Node!);
        waiter.Node = null;
        Interlocked.Decrement(ref _waiting);
    }

    /// <summary>One queued request: what routing needs for it, its place, and the task its slot (or refusal) completes.</summary>
    internal sealed class Waiter(RouteKey key, ulong tried, long place) : TaskCompletionSource<Admission>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public RouteKey Key { get; } = key;
        public ulong Tried { get; } = tried;
        public long Place { get; } = place;

        /// <summary>Its node while queued; null once served, refused or withdrawn (guarded by the queue's lock).</summary>
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
