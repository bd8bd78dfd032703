using Tpd.Core.Measurement;

namespace Tpd.Bench.Load;

/// <summary>
/// CPU the bench process used during the run, as a share of all cores. 80 % flags the client as a possible
/// bottleneck: past that, timer and socket work queue behind each other (a judgment call, stated here).
/// </summary>
public sealed record ClientLoad(double WallSeconds, double CpuSeconds, int Cores)
{
    public const double FlagShare = 0.8;
    public const string Formula = "process CPU time / (wall time x cores)";

    public double CpuShare => WallSeconds > 0 ? CpuSeconds / (WallSeconds * Cores) : 0;
    public bool Flagged => CpuShare > FlagShare;
}

/// <summary>Everything a load run produced: records (warm-up included, flagged), schedule adherence, client load, warnings.</summary>
public sealed record LoadResult(
    IReadOnlyList<RequestRecord> Records,
    ScheduleAdherence Schedule,
    ClientLoad Client,
    IReadOnlyList<string> Warnings)
{
    /// <summary>True when the run says the client, not the server, may have limited it.</summary>
    public bool ClientBottleneck { get; init; }
}
