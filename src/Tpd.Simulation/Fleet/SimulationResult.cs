namespace Tpd.Simulation.Fleet;

/// <summary>Engine-side figures that per-request records cannot give: utilization, KV usage, cache hits.</summary>
/// <param name="Replica">Replica index.</param>
/// <param name="Steps">Engine steps run.</param>
/// <param name="BusySeconds">Time the replica spent in steps.</param>
/// <param name="Utilization">Busy time over the run's duration.</param>
/// <param name="MeanKvUsage">Time-weighted share of KV blocks held by requests, over the run's duration.</param>
/// <param name="PeakKvUsage">Largest share of KV blocks held at a step end.</param>
/// <param name="Preemptions">Requests preempted (recompute).</param>
/// <param name="Completed">Requests finished here.</param>
/// <param name="PromptTokens">Prompt tokens of requests routed here.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from the prefix cache at first admission.</param>
/// <param name="PrefillTokens">Prefill tokens computed, recomputation after preemption included.</param>
/// <param name="DecodeTokens">Decode tokens computed.</param>
public sealed record ReplicaStats(
    int Replica,
    long Steps,
    double BusySeconds,
    double Utilization,
    double MeanKvUsage,
    double PeakKvUsage,
    long Preemptions,
    long Completed,
    long PromptTokens,
    long CachedPromptTokens,
    long PrefillTokens,
    long DecodeTokens);

/// <summary>What a run did, beyond the records.</summary>
/// <param name="Submitted">Requests the workload sent (each ends as exactly one record).</param>
/// <param name="Completed">Requests that produced all their output tokens.</param>
/// <param name="Rejected">Requests longer than a replica can ever hold (max_model_len or KV capacity), recorded as errors.</param>
/// <param name="DurationSeconds">Simulated time from 0 to the last completion.</param>
/// <param name="Replicas">Per-replica figures.</param>
public sealed record SimulationResult(
    long Submitted,
    long Completed,
    long Rejected,
    double DurationSeconds,
    IReadOnlyList<ReplicaStats> Replicas)
{
    public long Preemptions => Replicas.Sum(r => r.Preemptions);

    public double PrefixCacheHitRate
    {
        get
        {
            var prompt = Replicas.Sum(r => r.PromptTokens);
            return prompt == 0 ? 0 : (double)Replicas.Sum(r => r.CachedPromptTokens) / prompt;
        }
    }
}
