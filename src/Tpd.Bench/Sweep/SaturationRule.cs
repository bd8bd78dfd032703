using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Sweep;

/// <summary>Whether an open-loop point asked more than the server could serve, and what showed it.</summary>
/// <remarks><see cref="ClientBound"/>: the only sign was late sends without a concurrency cap, so the client, not the server, fell behind; the sweep still stops (a higher rate would be later still).</remarks>
public sealed record SaturationVerdict(bool OverSaturated, string? Reason, bool ClientBound = false)
{
    public static SaturationVerdict Fine { get; } = new(false, null);
}

/// <summary>
/// The early-stop rule of a sweep. An open-loop point is over-saturated when any of these holds:
/// <list type="number">
/// <item>Completions fall behind: ok requests completed at below <see cref="CompletionShare"/> of the rate the schedule
/// asked ((n - 1) / (last t_sched - first t_sched), which for Poisson arrivals differs from the nominal rate by chance),
/// measured as (ok - 1) / (last t_end - first t_end) so the last requests' E2E tail does not count against the rate.</item>
/// <item>Sends fall behind: more than 5 % of requests went out later than the tolerance (the run's schedule flag).
/// With a concurrency cap that means the server held every slot; without one the client could not keep up;
/// either way a higher rate measures nothing new.</item>
/// <item>A queue builds: the median TTFT of the last quarter of ok requests (by send time) is more than
/// <see cref="TtftGrowth"/> times that of the first quarter and at least <see cref="TtftGrowthFloorSeconds"/> longer
/// (judged only with <see cref="MinQuarter"/> or more requests per quarter).</item>
/// </list>
/// Closed-loop points (synchronous, saturation) cannot over-saturate: the server sets their pace.
/// </summary>
public static class SaturationRule
{
    /// <summary>85 %: Poisson arrivals over 100 requests spread completions by about 10 %; 15 % below is the server, not chance (a judgment call).</summary>
    public const double CompletionShare = 0.85;

    /// <summary>A doubling of the median TTFT within one point: queueing, not noise (a judgment call).</summary>
    public const double TtftGrowth = 2.0;

    /// <summary>50 ms: below this a doubling is scheduling noise on a fast server, not a queue.</summary>
    public const double TtftGrowthFloorSeconds = 0.05;

    /// <summary>Fewer than 8 requests per quarter give a median too noisy to compare.</summary>
    public const int MinQuarter = 8;

    public static SaturationVerdict Judge(LoadPlan plan, LoadResult result, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(summary);
        if (plan.TargetRate is not { } target)
            return SaturationVerdict.Fine;

        var reasons = new List<string>();
        var ok = result.Records.Where(r => !r.Warmup && r.Outcome == RequestOutcome.Ok).ToList();
        if (ok.Count >= 2)
        {
            var ends = ok.Select(r => r.EndSeconds ?? r.LastTokenSeconds ?? r.SendSeconds).ToList();
            var span = ends.Max() - ends.Min();
            var completionRate = span > 0 ? (ok.Count - 1) / span : double.PositiveInfinity;
            var asked = LoadRunner.ScheduledRate(result.Records) ?? target;
            if (completionRate < asked * CompletionShare)
                reasons.Add($"completed {completionRate:0.##} req/s where the schedule asked {asked:0.##} (below {CompletionShare:P0}; target {target:0.##})");
        }
        else if (summary.Requests >= 2)
        {
            reasons.Add($"only {ok.Count} of {summary.Requests} requests succeeded");
        }

        var clientLate = result.Schedule.Flagged && plan.Concurrency is null;
        if (result.Schedule.Flagged)
            reasons.Add($"{result.Schedule.LateShare.Value:P0} of requests were sent late (p99 {result.Schedule.P99LatenessSeconds * 1e3:0} ms){(plan.Concurrency is { } cap ? $": all {cap} slots busy" : ": the client fell behind")}");

        var byStart = ok.Where(r => r.TtftSeconds is not null).OrderBy(r => r.SendSeconds).Select(r => r.TtftSeconds!.Value).ToList();
        var quarter = byStart.Count / 4;
        if (quarter >= MinQuarter)
        {
            var first = Median(byStart.Take(quarter));
            var last = Median(byStart.Skip(byStart.Count - quarter));
            if (last > first * TtftGrowth && last - first >= TtftGrowthFloorSeconds)
                reasons.Add($"median TTFT grew from {first * 1e3:0} ms (first quarter) to {last * 1e3:0} ms (last quarter): a queue is building");
        }

        return reasons.Count == 0 ? SaturationVerdict.Fine : new SaturationVerdict(true, string.Join("; ", reasons), ClientBound: clientLate && reasons.Count == 1);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return Percentiles.Linear(sorted, 50);
    }
}
