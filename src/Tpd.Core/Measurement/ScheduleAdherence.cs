namespace Tpd.Core.Measurement;

/// <summary>
/// Honesty check on the load generator: were requests sent when they were due? Lateness = t_send - t_sched.
/// A run where many requests went out late measured the client, not the server (or, with a concurrency cap,
/// a saturated server holding slots). Warm-up excluded.
/// </summary>
public sealed record ScheduleAdherence
{
    public const string LateShareFormula = "requests with t_send - t_sched > tolerance / requests";
    public const string AchievedRateFormula = "(requests - 1) / (last t_send - first t_sched)";
    public const string TargetRateFormula = "the configured rate (open loop); none for closed loop";

    public required int Requests { get; init; }
    public required double ToleranceSeconds { get; init; }
    public required Measured<double> LateShare { get; init; }
    public required double MaxLatenessSeconds { get; init; }
    public required double P99LatenessSeconds { get; init; }

    /// <summary>Requests per second actually sent; null with fewer than two requests.</summary>
    public Measured<double>? AchievedRate { get; init; }

    public Measured<double>? TargetRate { get; init; }

    /// <summary>Share of requests late beyond which a run is flagged: 5 %, a judgment call (1 in 20 requests measurably late).</summary>
    public const double FlagShare = 0.05;

    public bool Flagged => LateShare.Value > FlagShare;

    public static ScheduleAdherence Of(IEnumerable<RequestRecord> records, double toleranceSeconds, double? targetRate)
    {
        ArgumentNullException.ThrowIfNull(records);
        var run = records.Where(r => !r.Warmup).ToList();
        var lateness = run.Select(r => r.SendSeconds - r.ScheduledSeconds).ToArray();
        Array.Sort(lateness);
        // From the first due time, not the first send: a late first request (a cold client) would otherwise
        // shorten the span and overstate the rate.
        var span = run.Count >= 2 ? run.Max(r => r.SendSeconds) - run.Min(r => r.ScheduledSeconds) : 0;
        return new ScheduleAdherence
        {
            Requests = run.Count,
            ToleranceSeconds = toleranceSeconds,
            LateShare = new(run.Count == 0 ? 0 : (double)lateness.Count(l => l > toleranceSeconds) / run.Count, LateShareFormula),
            MaxLatenessSeconds = lateness.Length == 0 ? 0 : lateness[^1],
            P99LatenessSeconds = lateness.Length == 0 ? 0 : Percentiles.Linear(lateness, 99),
            AchievedRate = span > 0 ? new((run.Count - 1) / span, AchievedRateFormula) : null,
            TargetRate = targetRate is { } t ? new(t, TargetRateFormula) : null,
        };
    }
}
