using System.Globalization;

namespace Tpd.Plan.Result;

/// <summary>Says why the winner wins: its bottleneck, and what the runner-up lacks.</summary>
internal static class Explanation
{
    public static string Why(IReadOnlyList<PlannedConfiguration> ranked, string loadUnit)
    {
        if (ranked.Count == 0)
            return "no configuration meets the SLOs at any load; see the pruned candidates for the reasons";
        var w = ranked[0];
        var text = Inv($"{w.Candidate.Label} wins at ${w.QualityAdjustedFleetPrice.DollarsPerHour:0.00}/hour{Adjusted(w)}: {Count(w.Replicas, "replica")} of {Count(w.Candidate.GpusPerReplica, "GPU")}, each carrying {(w.CapacityIsLowerBound ? "at least " : "")}{w.CapacityPerReplica:0.##} {loadUnit} within the SLOs for ${w.Candidate.ReplicaPrice.DollarsPerHour:0.00}/hour; its capacity is {Describe(w.Bottleneck)}; as planned, a replica holds a mean {w.MeanConcurrency:0.#} requests in flight and streams {w.TokensPerSecondPerUser:0} tokens/s per user.");
        if (ranked.Count == 1)
            return text + " No other candidate met the SLOs.";
        var r = ranked[1];
        var extra = r.QualityAdjustedFleetPrice / w.QualityAdjustedFleetPrice - 1;
        var perDollarW = w.CapacityPerReplica / w.Candidate.ReplicaPrice.DollarsPerHour;
        var perDollarR = r.CapacityPerReplica / r.Candidate.ReplicaPrice.DollarsPerHour;
        var lacks = perDollarR < perDollarW
            ? Inv($"it carries {AtLeast(r)}{perDollarR:0.##} {loadUnit} per replica-dollar-hour against the winner's {AtLeast(w)}{perDollarW:0.##} ({Describe(r.Bottleneck)})")
            : Inv($"it carries more per dollar ({perDollarR:0.##} against {perDollarW:0.##} {loadUnit} per replica-dollar-hour) but rounds up to {Count(r.Replicas, "replica")} of ${r.Candidate.ReplicaPrice.DollarsPerHour:0.00}/hour");
        if (r.Candidate.Quality < w.Candidate.Quality)
            lacks += Inv($", and its {r.Candidate.Serving.Weights} weights are priced at quality {r.Candidate.Quality:0.###}");
        return text + Inv($" The runner-up, {r.Candidate.Label}, costs ${r.QualityAdjustedFleetPrice.DollarsPerHour:0.00}/hour ({extra:+0.0%;-0.0%;0.0%}): {lacks}.");
    }

    private static string Count(int n, string noun) => Inv($"{n} {noun}{(n == 1 ? "" : "s")}");

    private static string AtLeast(PlannedConfiguration p) => p.CapacityIsLowerBound ? "at least " : "";

    private static string Adjusted(PlannedConfiguration w) =>
        w.Candidate.Quality < 1 ? Inv($" quality-adjusted (${w.FleetPrice.DollarsPerHour:0.00}/hour at quality {w.Candidate.Quality:0.###})") : "";

    private static string Describe(Bottleneck b) => b switch
    {
        Bottleneck.MemoryBandwidth => "memory-bandwidth-bound (TPOT set by streaming weights and KV)",
        Bottleneck.Compute => "compute-bound",
        Bottleneck.Communication => "bound by tensor-parallel all-reduces",
        Bottleneck.Overhead => "bound by per-step engine overheads",
        Bottleneck.KvCapacity => "KV-cache-limited (no blocks for a bigger batch)",
        _ => "TTFT-limited (prompts queue or prefill too slowly)",
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
