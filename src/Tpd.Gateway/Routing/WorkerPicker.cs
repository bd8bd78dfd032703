using Tpd.Gateway.Config;

namespace Tpd.Gateway.Routing;

/// <summary>What routing needs to know about a request.</summary>
public readonly record struct RouteKey(long EstimatedTokens, ulong AffinityHash, bool HasAffinity);

/// <summary>
/// Picks a worker among those that are eligible (healthy, undrained), have room, and were not already tried
/// for this request. Pure apart from the round-robin and random counters, which only break ties.
/// </summary>
public sealed class WorkerPicker
{
    private long _sequence;

    /// <summary>Seed for power-of-two choices; fixed so tests and replicas behave the same.</summary>
    public WorkerPicker(ulong seed = 0x7470645F67617465UL) => Seed = seed;

    public ulong Seed { get; }

    /// <summary>The chosen worker, or null when none can take the request now.</summary>
    public WorkerState? Pick(BalancePolicy policy, WorkerState[] workers, in RouteKey key, ulong triedMask)
    {
        if (workers.Length == 0)
            return null;
        return policy switch
        {
            BalancePolicy.LeastTokens => Least(workers, triedMask, static w => w.OutstandingTokens),
            BalancePolicy.PowerOfTwo => PowerOfTwo(workers, triedMask),
            BalancePolicy.Affinity when key.HasAffinity => Rendezvous(workers, key.AffinityHash, triedMask),
            _ => Least(workers, triedMask, static w => w.InFlight),
        };
    }

    internal static bool Usable(WorkerState w, int index, ulong triedMask) =>
        w.Eligible && w.HasRoom && (index >= 64 || (triedMask & (1UL << index)) == 0);

    /// <summary>Least load per unit of weight; ties go round-robin so equal workers share evenly.</summary>
    private WorkerState? Least(WorkerState[] workers, ulong triedMask, Func<WorkerState, long> load)
    {
        var start = (int)((ulong)Interlocked.Increment(ref _sequence) % (ulong)workers.Length);
        WorkerState? best = null;
        var bestLoad = double.MaxValue;
        for (var k = 0; k < workers.Length; k++)
        {
            var i = (start + k) % workers.Length;
            var w = workers[i];
            if (!Usable(w, i, triedMask))
                continue;
            var l = load(w) / w.Config.Weight;
            if (l < bestLoad)
            {
                bestLoad = l;
                best = w;
            }
        }
        return best;
    }

    /// <summary>Two random usable workers, the less loaded wins (Mitzenmacher): near-least-loaded without scanning state that may be stale.</summary>
    private WorkerState? PowerOfTwo(WorkerState[] workers, ulong triedMask)
    {
        Span<int> usable = workers.Length <= 256 ? stackalloc int[workers.Length] : new int[workers.Length];
        var n = 0;
        for (var i = 0; i < workers.Length; i++)
        {
            if (Usable(workers[i], i, triedMask))
                usable[n++] = i;
        }
        if (n == 0)
            return null;
        if (n == 1)
            return workers[usable[0]];
        var r = Stable.Mix(Seed ^ (ulong)Interlocked.Increment(ref _sequence));
        var a = (int)(r % (ulong)n);
        var b = (int)((r >> 32) % (ulong)(n - 1));
        if (b >= a)
            b++;
        var wa = workers[usable[a]];
        var wb = workers[usable[b]];
        return wa.InFlight / wa.Config.Weight <= wb.InFlight / wb.Config.Weight ? wa : wb;
    }

    /// <summary>
    /// Weighted rendezvous hashing: each key ranks the workers the same way everywhere; when the top one is
    /// unavailable the key falls to its next-ranked worker, and only keys of a removed worker move.
    /// </summary>
    private static WorkerState? Rendezvous(WorkerState[] workers, ulong keyHash, ulong triedMask)
    {
        WorkerState? best = null;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < workers.Length; i++)
        {
            var w = workers[i];
            if (!Usable(w, i, triedMask))
                continue;
            var score = Score(w, keyHash);
            if (score > bestScore)
            {
                bestScore = score;
                best = w;
            }
        }
        return best;
    }

    /// <summary>-weight / ln(u): the weighted rendezvous score (Schindelhauer and Schomaker), u uniform in (0, 1) from the hash.</summary>
    internal static double Score(WorkerState w, ulong keyHash)
    {
        var h = Stable.Mix(keyHash ^ w.NameHash);
        var u = ((h >> 11) + 0.5) / (1UL << 53);
        return -w.Config.Weight / Math.Log(u);
    }
}
