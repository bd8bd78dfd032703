using System.Globalization;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Sweep;

/// <summary>The best point of a sweep and why, or null with why none qualified.</summary>
public sealed record OperatingPointChoice(SweepPoint? Point, string Why);

/// <summary>
/// Picks the operating point of a sweep. A point qualifies when it was not over-saturated, had ok requests, and (with
/// SLOs) at least <see cref="AttainmentTarget"/> of its ok requests met every per-request SLO and every percentile
/// objective held. Among those: the lowest $/1M goodput tokens when a price and SLOs are given, else the lowest
/// $/1M output tokens with a price, else the highest goodput (with SLOs), else the highest output token throughput.
/// </summary>
public static class OperatingPointRule
{
    /// <summary>
    /// 90 % of requests within the SLOs: DistServe's definition of goodput (Zhong et al., OSDI 2024, "the maximum
    /// request rate that can be served adhering to the SLO attainment goal", with 90 % as the goal in its experiments).
    /// </summary>
    public const double AttainmentTarget = 0.9;

    public static OperatingPointChoice Choose(IReadOnlyList<SweepPoint> points, SloSpec? slo)
    {
        ArgumentNullException.ThrowIfNull(points);
        var inv = CultureInfo.InvariantCulture;
        var rejected = new List<string>();
        var ok = new List<SweepPoint>();
        foreach (var p in points)
        {
            if (Disqualified(p, slo) is { } reason)
                rejected.Add($"{p.Label}: {reason}");
            else
                ok.Add(p);
        }

        if (ok.Count == 0)
            return new OperatingPointChoice(null, "no point qualified: " + string.Join("; ", rejected));

        var hasGoodputCost = ok.All(p => p.Summary.Cost?.PerMillionGoodputTokens is not null);
        var hasOutputCost = ok.All(p => p.Summary.Cost?.PerMillionOutputTokens is not null);
        SweepPoint best;
        string measure;
        if (slo is not null && hasGoodputCost)
        {
            best = ok.MinBy(p => p.Summary.Cost!.PerMillionGoodputTokens!.Value.Value.Dollars)!;
            measure = string.Create(inv, $"${best.Summary.Cost!.PerMillionGoodputTokens!.Value.Value.Dollars:0.####} per 1M goodput tokens, the lowest");
        }
        else if (hasOutputCost)
        {
            best = ok.MinBy(p => p.Summary.Cost!.PerMillionOutputTokens!.Value.Value.Dollars)!;
            measure = string.Create(inv, $"${best.Summary.Cost!.PerMillionOutputTokens!.Value.Value.Dollars:0.####} per 1M output tokens, the lowest");
        }
        else if (slo is not null)
        {
            best = ok.MaxBy(p => p.Summary.Slo?.Goodput.Value ?? 0)!;
            measure = string.Create(inv, $"goodput {best.Summary.Slo?.Goodput.Value ?? 0:0.###} req/s, the highest");
        }
        else
        {
            best = ok.MaxBy(p => p.Summary.OutputTokenThroughput.Value.TokensPerSecond)!;
            measure = string.Create(inv, $"{best.Summary.OutputTokenThroughput.Value.TokensPerSecond:0} output tokens/s, the highest");
        }

        var among = slo is null
            ? $"of {ok.Count} point(s) that were not over-saturated"
            : $"of {ok.Count} point(s) meeting the SLOs for at least {AttainmentTarget:P0} of requests";
        var why = $"{measure} {among}";
        if (rejected.Count > 0)
            why += "; left out: " + string.Join("; ", rejected);
        return new OperatingPointChoice(best, why);
    }

    private static string? Disqualified(SweepPoint p, SloSpec? slo)
    {
        if (p.Saturation.OverSaturated)
            return p.Saturation.ClientBound ? "client-bound (sent late)" : "over-saturated";
        if (p.Summary.Ok == 0)
            return "no ok request";
        if (slo is null || p.Summary.Slo is not { } s)
            return null;
        if (slo.HasPerRequestLimits && s.Attainment.Value < AttainmentTarget)
            return string.Create(CultureInfo.InvariantCulture, $"SLO attainment {s.Attainment.Value:P0}");
        var missed = s.PercentileResults.Where(r => !r.Met).Select(r => r.Slo.ToString()).ToList();
        return missed.Count > 0 ? "missed " + string.Join(", ", missed) : null;
    }
}
