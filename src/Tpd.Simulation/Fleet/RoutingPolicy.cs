namespace Tpd.Simulation.Fleet;

/// <summary>How the router in front of the replicas picks one for each request.</summary>
public enum RoutingPolicy
{
    /// <summary>Replicas in turn, blind to load.</summary>
    RoundRobin,

    /// <summary>The replica with the fewest requests waiting or running (ties: lowest index).</summary>
    LeastOutstanding,

    /// <summary>The replica with the smallest share of KV blocks in use (ties: fewest outstanding, then lowest index).</summary>
    LeastKvUsage,

    /// <summary>
    /// A session's requests go to the replica its id hashes to, so later turns find their prefix cached; when that
    /// replica is saturated (its outstanding requests reach max_num_seqs) or the request has no session, least
    /// outstanding.
    /// </summary>
    SessionAffinity,
}
