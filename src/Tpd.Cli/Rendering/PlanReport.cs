using Spectre.Console;
using Tpd.Plan.Result;

namespace Tpd.Cli.Rendering;

/// <summary>The human report of `tpd plan`: ranked configurations, the Pareto front and why the winner wins.</summary>
internal static class PlanReport
{
    public static void Write(IAnsiConsole console, PlanResult result, int top)
    {
        var req = result.Request;
        console.MarkupLine($"[bold]{Markup.Escape(req.Model.Name)}[/] for {Markup.Escape(req.Demand.ToString())}, {Markup.Escape(req.Preset.Name)} workload, SLO {Markup.Escape(string.Join(", ", req.Slo.Percentiles.Select(p => p.ToString())))}");
        console.MarkupLine($"{result.Candidates:N0} candidates: {result.Pruned.Count:N0} pruned, {result.Evaluated:N0} simulated, {result.Ranked.Count:N0} meet the SLOs" +
            (result.Complete ? "" : " [yellow](interrupted: partial results)[/]"));
        if (result.Ranked.Count == 0)
        {
            console.MarkupLine("[red]No configuration meets the SLOs.[/] Relax them, add GPUs (--gpus) or data types (--weights), or see the pruned reasons with --json.");
            return;
        }

        var t = new Table().Border(TableBorder.Simple).Title("[bold]Cheapest configurations[/]").LeftAligned();
        foreach (var h in new[] { "#", "configuration", "replicas x GPUs", "$/hour", "$/1M out", "$/user/month", "tok/s/user", "headroom", "bottleneck" })
            t.AddColumn(h is "configuration" or "bottleneck" ? new TableColumn(h) : new TableColumn(h).RightAligned());
        foreach (var c in result.Ranked.Take(top))
        {
            t.AddRow(
                c.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(Short(c.Candidate.Label)),
                $"{c.Replicas} x {c.Candidate.GpusPerReplica}",
                Fmt.Dollars(c.FleetPrice.DollarsPerHour),
                Fmt.Dollars(c.CostPerMillionOutputTokens),
                c.CostPerUserMonth is { } m ? Fmt.Dollars(m) : "-",
                Fmt.Num(c.TokensPerSecondPerUser, "0.#"),
                c.CapacityIsLowerBound ? $">= {c.Headroom:P0}" : $"{c.Headroom:P0}",
                Markup.Escape(Name(c.Bottleneck)));
        }

        console.Write(t);
        var pareto = string.Join("; ", result.ParetoFront.Select(c => $"{Short(c.Candidate.Label)} ({Fmt.Dollars(c.CostPerMillionOutputTokens)}/1M, {Fmt.Num(c.TokensPerSecondPerUser, "0.#")} tok/s/user)"));
        console.MarkupLine($"[bold]Pareto front[/] ($/1M output tokens against tokens/s per user): {Markup.Escape(pareto)}");
        console.MarkupLine($"[bold]Why the winner wins:[/] {Markup.Escape(result.WhyWinnerWins)}");
        foreach (var check in PlanChecks.For(result, top).Where(c => c.OutsideTolerance))
            console.MarkupLine($"[yellow]Optimistic on {Markup.Escape(check.Run.GpuId)}:[/] {Markup.Escape(check.Describe)} (docs/validation/estimate-calibration.md)");
    }

    /// <summary>Labels without the default batch limit, which every row would repeat.</summary>
    private static string Short(string label) => label.Replace(" seqs-default", "", StringComparison.Ordinal);

    private static string Name(Bottleneck b) => b switch
    {
        Bottleneck.MemoryBandwidth => "memory BW",
        Bottleneck.KvCapacity => "KV capacity",
        Bottleneck.Communication => "all-reduce",
        _ => b.ToString().ToLowerInvariant(),
    };
}
