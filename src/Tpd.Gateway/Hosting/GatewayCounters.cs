using Tpd.Gateway.Metering;
using Tpd.Gateway.Metrics;

namespace Tpd.Gateway.Hosting;

/// <summary>Gateway-wide counters: every request ends in exactly one outcome.</summary>
public sealed class GatewayCounters
{
    private readonly long[] _outcomes = new long[OutcomeNames.Count];
    private long _received;
    private long _retries;
    private long _reloadsOk;
    private long _reloadsFailed;

    public Histogram Overhead { get; } = new(Histogram.OverheadBuckets);
    public Histogram E2e { get; } = new(Histogram.LatencyBuckets);
    public Histogram Ttft { get; } = new(Histogram.LatencyBuckets);

    public long Received => Volatile.Read(ref _received);
    public long Retries => Volatile.Read(ref _retries);
    public long ReloadsOk => Volatile.Read(ref _reloadsOk);
    public long ReloadsFailed => Volatile.Read(ref _reloadsFailed);
    public long Count(Outcome o) => Volatile.Read(ref _outcomes[(int)o]);

    /// <summary>Sum over all outcomes; equals <see cref="Received"/> once no request is in progress.</summary>
    public long Finished
    {
        get
        {
            long n = 0;
            for (var i = 0; i < _outcomes.Length; i++)
                n += Volatile.Read(ref _outcomes[i]);
            return n;
        }
    }

    internal void Receive() => Interlocked.Increment(ref _received);
    internal void Finish(Outcome o) => Interlocked.Increment(ref _outcomes[(int)o]);
    internal void Retry() => Interlocked.Increment(ref _retries);
    internal void Reloaded(bool ok) => Interlocked.Increment(ref ok ? ref _reloadsOk : ref _reloadsFailed);
}
