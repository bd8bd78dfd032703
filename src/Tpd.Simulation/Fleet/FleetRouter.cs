using Tpd.Simulation.Engine;

namespace Tpd.Simulation.Fleet;

/// <summary>Picks a replica per request. Deterministic: ties go to the lowest index, hashing is fixed (SplitMix64 finalizer).</summary>
internal sealed class FleetRouter(RoutingPolicy policy, Replica[] replicas, int saturation)
{
    private int _next;

    public int Route(long session)
    {
        switch (policy)
        {
            case RoutingPolicy.RoundRobin:
                var r = _next;
                _next = (_next + 1) % replicas.Length;
                return r;
            case RoutingPolicy.LeastKvUsage:
                return LeastKv();
            case RoutingPolicy.SessionAffinity when session >= 0:
                var home = (int)(Mix((ulong)session) % (ulong)replicas.Length);
                return replicas[home].Outstanding < saturation ? home : LeastOutstanding();
            default:
                return LeastOutstanding();
        }
    }

    private int LeastOutstanding()
    {
        var best = 0;
        var bestLoad = int.MaxValue;
        for (var i = 0; i < replicas.Length; i++)
        {
            var load = replicas[i].Outstanding;
            if (load < bestLoad)
            {
                best = i;
                bestLoad = load;
            }
        }

        return best;
    }

    private int LeastKv()
    {
        var best = 0;
        var bestUsage = double.MaxValue;
        var bestLoad = int.MaxValue;
        for (var i = 0; i < replicas.Length; i++)
        {
            var usage = replicas[i].KvUsage;
            var load = replicas[i].Outstanding;
            if (usage < bestUsage || (usage == bestUsage && load < bestLoad))
            {
                best = i;
                bestUsage = usage;
                bestLoad = load;
            }
        }

        return best;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
