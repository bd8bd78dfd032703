using System.Globalization;
using Tpd.Bench.Load;
using Tpd.Bench.Prediction;
using Tpd.Bench.Sweep;
using Tpd.Cli.Commands;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>What one bench run produced, for the report, JSON and CSV.</summary>
internal sealed record BenchView(BenchSettings Settings, LoadResult Result, RunSummary Summary, Prediction? Prediction, IReadOnlyList<string> Warnings);

/// <summary>What a sweep produced; <see cref="Predictions"/> runs parallel to the points (null entries without --predict).</summary>
internal sealed record BenchSweepView(BenchSettings Settings, SweepResult Sweep, IReadOnlyList<Prediction?> Predictions, IReadOnlyList<string> Warnings);

/// <summary>One honesty check: a name (snake_case for JSON and CSV), its value, the text shown, and a note; flagged checks print in red.</summary>
internal sealed record HonestyCheck(string Name, double? Value, string Shown, string Note, bool Flagged)
{
    /// <summary>The row label of the human report.</summary>
    public string Label => Name switch
    {
        "late_share" => "late sends",
        "achieved_rate_per_second" => "achieved send rate",
        "client_cpu_share" => "client CPU",
        "output_length_exact_share" => "output lengths",
        "prefix_cache_hit_share" => "prefix-cache hits",
        "output_tokens_from_event_count" => "N_out from events",
        "error_rate" => "errors",
        "client_bottleneck" => "client bottleneck",
        _ => Name.Replace('_', ' '),
    };
}

/// <summary>The checks MEASURE.md wants on every run, from the load result and the summary.</summary>
internal static class BenchHonesty
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string DescribeLoad(LoadPlan plan) => plan switch
    {
        { Sessions: { } s } => string.Create(Inv, $"chat sessions, {plan.Concurrency} in flight, think {s.MeanThinkSeconds:0.##} s"),
        { SendTimes: not null } => string.Create(Inv, $"trace replay, target {plan.TargetRate ?? 0:0.###} req/s") + Cap(plan),
        { Rate: { } r } => string.Create(Inv, $"open loop, {plan.Arrivals.ToString().ToLowerInvariant()} {r:0.###} req/s") + (plan.Arrivals == ArrivalProcess.Gamma ? string.Create(Inv, $" (CV {plan.GammaCv:0.##})") : "") + Cap(plan),
        _ => $"closed loop, {plan.Concurrency} in flight",
    };

    private static string Cap(LoadPlan plan) => plan.Concurrency is { } c ? $", at most {c} in flight" : "";

    public static IReadOnlyList<HonestyCheck> Checks(LoadResult result, RunSummary s)
    {
        var checks = new List<HonestyCheck>();
        var sched = result.Schedule;
        checks.Add(new("late_share", sched.LateShare.Value, sched.LateShare.Value.ToString("P1", Inv),
            string.Create(Inv, $"sent > {sched.ToleranceSeconds * 1e3:0.#} ms after due; p99 lateness {sched.P99LatenessSeconds * 1e3:0.#} ms, max {sched.MaxLatenessSeconds * 1e3:0.#} ms"), sched.Flagged));
        if (sched.AchievedRate is { } achieved)
        {
            var target = sched.TargetRate?.Value;
            var asked = LoadRunner.ScheduledRate(result.Records);
            checks.Add(new("achieved_rate_per_second", achieved.Value, Fmt.Num(achieved.Value, "0.###") + " req/s",
                target is { } t
                    ? string.Create(Inv, $"target {t:0.###} req/s, this schedule {asked ?? t:0.###} ({achieved.Value / (asked ?? t):P0}); {ScheduleAdherence.AchievedRateFormula}")
                    : $"closed loop: the server sets the pace; {ScheduleAdherence.AchievedRateFormula}",
                target is not null && asked is { } a && achieved.Value < a * LoadRunner.AchievedRateFlag));
        }

        checks.Add(new("client_cpu_share", result.Client.CpuShare, result.Client.CpuShare.ToString("P0", Inv),
            $"of {result.Client.Cores} cores; {ClientLoad.Formula}; flagged above {ClientLoad.FlagShare:P0}", result.Client.Flagged));

        var lengths = s.OutputLengths;
        checks.Add(new("output_length_exact_share", lengths.Checked == 0 ? 1 : (double)lengths.Exact / lengths.Checked,
            lengths.Checked == 0 ? "n/a" : $"{lengths.Exact:N0}/{lengths.Checked:N0} exact",
            lengths.Checked == 0 ? "no ok request stated its length" : string.Create(Inv, $"{lengths.Shorter:N0} shorter, {lengths.Longer:N0} longer; actual / requested tokens {lengths.ActualOverRequested:0.###}"),
            !lengths.AllExact));
        var cachedShare = s.InputTokens > 0 ? (double)result.Records.Where(r => !r.Warmup && r.Outcome == RequestOutcome.Ok).Sum(r => (long)r.CachedInputTokens) / s.InputTokens : 0;
        checks.Add(new("prefix_cache_hit_share", cachedShare, cachedShare.ToString("P1", Inv), "cached prompt tokens / prompt tokens, as the server reports them (usage.prompt_tokens_details.cached_tokens)", false));
        if (s.OutputTokensFromEventCount > 0)
            checks.Add(new("output_tokens_from_event_count", s.OutputTokensFromEventCount, $"{s.OutputTokensFromEventCount:N0} requests", "no usage chunk: N_out counted from events, which undercounts chunks carrying several tokens", true));
        checks.Add(new("error_rate", s.ErrorRate.Value, s.ErrorRate.Value.ToString("P1", Inv),
            s.ByErrorClass.Count == 0 ? "no errors" : string.Join(", ", s.ByErrorClass.Select(kv => $"{kv.Key} {kv.Value}")), s.ErrorRate.Value > 0));
        var bottleneck = result.ClientBottleneck || result.Client.Flagged;
        checks.Add(new("client_bottleneck", bottleneck ? 1 : 0, bottleneck ? "yes" : "no",
            bottleneck
                ? "the client, not the server, may have limited this run: the numbers understate the server"
                : "the client kept up: sends on time (or held by a concurrency cap), CPU below the flag",
            bottleneck));
        return checks;
    }
}
