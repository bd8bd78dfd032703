using System.Collections.Concurrent;

namespace Tpd.Gateway.Hosting;

/// <summary>
/// Bounded wait for a worker slot. A finishing request wakes one waiter, which tries to route again; a full
/// queue or a timeout means 429 rather than queueing without bound. Every signal bumps <see cref="Version"/>: a
/// request reads it before routing and passes it to <see cref="WaitAsync"/>, so a slot freed between its failed
/// routing and its wait is not missed (the wait returns at once). Waiters are woken in arrival order; a new request
/// may still take a slot before them (no strict FIFO across the queue and new arrivals).
/// <para>
/// Superseded by <see cref="AdmissionQueue"/> (strict FIFO with hand-off); nothing in the gateway uses it any more.
/// It stays only because Hosting/SlotQueueTests.cs, another change's file, still tests it: delete both together.
/// </para>
/// </summary>
internal sealed class SlotQueue
{
    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();
    private int _waiting;
    private long _version;

    /// <summary>Bumped by every signal; read it before routing and hand it to <see cref="WaitAsync"/>.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int Depth => Volatile.Read(ref _waiting);

    /// <summary>Takes a place in the queue; false when it already holds <paramref name="capacity"/> requests.</summary>
    public bool TryJoin(int capacity)
    {
        var now = Interlocked.Increment(ref _waiting);
        if (now <= capacity)
            return true;
        Interlocked.Decrement(ref _waiting);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _waiting);

    /// <summary>Waits until a slot may have freed (or the deadline passes); the caller routes again either way.</summary>
    public async Task<bool> WaitAsync(long seenVersion, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero)
            return false;
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(tcs);
        // A signal since the caller routed found no waiter to wake (or woke another): route again now. Checked after
        // enqueuing, so a signal from here on finds this waiter in the queue.
        if (Interlocked.Read(ref _version) != seenVersion)
            tcs.TrySetResult();
        try
        {
            await tcs.Task.WaitAsync(timeout, time, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            tcs.TrySetCanceled(CancellationToken.None);
            return false;
        }
    }

    /// <summary>A slot freed: wake one live waiter.</summary>
    public void SignalOne()
    {
        Interlocked.Increment(ref _version);
        if (Volatile.Read(ref _waiting) == 0)
            return;
        while (_waiters.TryDequeue(out var tcs))
        {
            if (tcs.TrySetResult())
                return;
        }
    }

    /// <summary>Capacity changed (a worker came back, config reloaded): everyone tries again.</summary>
    public void SignalAll()
    {
        Interlocked.Increment(ref _version);
        while (_waiters.TryDequeue(out var tcs))
            tcs.TrySetResult();
    }
}
