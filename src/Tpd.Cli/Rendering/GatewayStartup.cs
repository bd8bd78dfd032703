using System.Globalization;
using Tpd.Gateway.Config;

namespace Tpd.Cli.Rendering;

/// <summary>What `tpd gateway` prints when it starts (or checks a config): the address, the pool and its workers.</summary>
internal static class GatewayStartup
{
    public static void Write(TextWriter w, GatewayConfig c, Uri bound, bool checkOnly)
    {
        w.WriteLine(checkOnly
            ? $"config valid: would listen on {bound.Authority}, pool '{c.Pool}', policy {Policy(c.Routing.Policy)}"
            : $"tpd gateway listening on {bound.GetLeftPart(UriPartial.Authority)}, pool '{c.Pool}', policy {Policy(c.Routing.Policy)}");
        w.WriteLine();
        var rows = c.Workers.Select(x => new[]
        {
            x.Name, x.Url.ToString(), x.Price.DollarsPerHour.ToString("0.00##", CultureInfo.InvariantCulture),
            x.Weight.ToString("G", CultureInfo.InvariantCulture), x.MaxInFlight.ToString(CultureInfo.InvariantCulture),
        }).ToList();
        string[] header = ["worker", "url", "$/hour", "weight", "max in-flight"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        w.WriteLine("  " + string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows)
            w.WriteLine("  " + string.Join("  ", r.Select((v, i) => i is 2 or 3 or 4 ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
        w.WriteLine();
        var d = c.Drain;
        w.WriteLine(d.Enabled
            ? $"drain: below {Threshold(d)} for {d.Windows} windows of {d.Window.TotalSeconds:G} s at mean in-flight >= {d.MinInFlight:G}; readmit after {d.ReadmitProbes} probes {d.Hysteresis:P0} above"
            : "drain: off");
        w.WriteLine($"keys: {(c.Security.ApiKeys.Count == 0 ? "none (any client in the allowlist)" : c.Security.ApiKeys.Count.ToString(CultureInfo.InvariantCulture))}; allowlist: {string.Join(", ", c.Security.AllowCidrs)}; admin API: {(c.Security.AdminKey is null ? "off" : "on")}");
        w.WriteLine($"scaling: desired replicas = ceil((in-flight + queued) / {c.Scaling.TargetInFlightPerWorker}) at /metrics");
        if (!checkOnly)
            w.WriteLine("Ctrl+C stops.");
    }

    private static string Threshold(DrainConfig d)
    {
        var parts = new List<string>();
        if (d.MinTokensPerSecondPerDollar is { } a)
            parts.Add($"{a:G} tokens/s per $/hour");
        if (d.RelativeToMedian is { } r)
            parts.Add($"{r:G} x the pool median");
        return string.Join(" or ", parts);
    }

    private static string Policy(BalancePolicy p) => p switch
    {
        BalancePolicy.LeastTokens => "least-tokens",
        BalancePolicy.PowerOfTwo => "power-of-two",
        BalancePolicy.Affinity => "affinity",
        _ => "least-requests",
    };
}
