using Spectre.Console;
using Tpd.Bench.Sweep;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>The human report of `tpd bench --sweep`: a row per point, latency percentiles per point, the best operating point and why.</summary>
internal static class BenchSweepReport
{
    public static void Write(IAnsiConsole console, BenchSweepView v)
    {
        var endpoint = v.Settings.Endpoint;
        var points = v.Sweep.Points;
        console.MarkupLine($"[bold]tpd bench --sweep[/] {Markup.Escape(endpoint.RequestUri.ToString())} model {Markup.Escape(endpoint.Model)}: " +
            $"{points.Count} points, {points.Sum(p => p.Summary.Requests):N0} requests; {Markup.Escape(v.Settings.Workload)}");

        var t = new Table().Border(TableBorder.Simple).Title("[bold]Points[/]").LeftAligned();
        foreach (var h in new[] { "point", "target/s", "ok/s", "out tok/s", "good/s", "SLO met", "$/1M out", "$/1M good", "verdict" })
            t.AddColumn(h is "point" or "verdict" ? new TableColumn(h).NoWrap() : new TableColumn(h).RightAligned().NoWrap());
        foreach (var p in points)
        {
            var s = p.Summary;
            t.AddRow(
                Markup.Escape(p.Label),
                p.Spec.Plan.TargetRate is { } target ? Fmt.Num(target, "0.###") : "-",
                Fmt.Num(s.RequestThroughput.Value, "0.###"),
                Fmt.Rate(s.OutputTokenThroughput.Value.TokensPerSecond),
                s.Slo is { } slo ? Fmt.Num(slo.Goodput.Value, "0.###") : "-",
                s.Slo is { } slo2 ? slo2.Attainment.Value.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "-",
                s.Cost?.PerMillionOutputTokens is { } o ? Fmt.Dollars(o.Value.Dollars) : "-",
                s.Cost?.PerMillionGoodputTokens is { } g ? Fmt.Dollars(g.Value.Dollars) : "-",
                Verdict(p, v.Sweep.Best.Point));
        }

        console.Write(t);
        console.Write(Latency(points, "TTFT and TPOT", ("TTFT", s => s.Ttft), ("TPOT", s => s.Tpot)));
        console.Write(Latency(points, "ITL and E2E", ("ITL", s => s.Itl), ("E2E", s => s.E2e)));
        console.MarkupLine($"[dim]TTFT {Markup.Escape(Formulas.Ttft)}; TPOT {Markup.Escape(Formulas.Tpot)}; ITL {Markup.Escape(Formulas.Itl)}; E2E {Markup.Escape(Formulas.E2e)}; percentiles by linear interpolation (NumPy default).[/]");

        var honesty = new Table().Border(TableBorder.Simple).Title("[bold]Honesty checks per point[/]").LeftAligned();
        foreach (var h in new[] { "point", "sent/s", "late", "client CPU", "exact N_out", "errors", "client-bound", "over-sat." })
            honesty.AddColumn(h == "point" ? new TableColumn(h).NoWrap() : new TableColumn(h).RightAligned().NoWrap());
        foreach (var p in points)
        {
            var checks = BenchHonesty.Checks(p.Result, p.Summary).ToDictionary(c => c.Name);
            honesty.AddRow(
                Markup.Escape(p.Label),
                p.Spec.Plan.TargetRate is not null && checks.TryGetValue("achieved_rate_per_second", out var sent) ? Cell(sent with { Shown = Fmt.Num(sent.Value ?? 0, "0.###") }) : "-",
                Cell(checks["late_share"]),
                Cell(checks["client_cpu_share"]),
                Cell(checks["output_length_exact_share"]),
                Cell(checks["error_rate"]),
                Cell(checks["client_bottleneck"]),
                p.Saturation.OverSaturated ? "[red]yes[/]" : "no");
        }

        console.Write(honesty);
        foreach (var p in points.Where(p => p.Saturation.OverSaturated))
            console.MarkupLine($"[red]{(p.Saturation.ClientBound ? "client-bound" : "over-saturated")}[/] {Markup.Escape(p.Label)}: {Markup.Escape(p.Saturation.Reason ?? "")}");
        if (v.Sweep.StoppedEarly is { } stopped)
            console.MarkupLine($"Sweep {Markup.Escape(stopped)}");

        if (v.Predictions.Any(p => p is not null))
        {
            var pt = new Table().Border(TableBorder.Simple).Title($"[bold]Predicted vs measured[/] ({Markup.Escape(v.Settings.Predict!.Describe)}; every metric in --json)").LeftAligned();
            foreach (var h in new[] { "point", "req/s", "predicted", "error", "TTFT p50", "predicted", "error", "TPOT p50", "predicted", "error" })
                pt.AddColumn(h == "point" ? new TableColumn(h) : new TableColumn(h).RightAligned());
            for (var i = 0; i < points.Count; i++)
            {
                if (v.Predictions[i] is not { } pred)
                    continue;
                var m = pred.Metrics.ToDictionary(x => x.Name);
                var row = new List<string> { Markup.Escape(points[i].Label) };
                foreach (var name in new[] { "request throughput", "TTFT p50", "TPOT p50" })
                {
                    var x = m[name];
                    row.AddRange([BenchReport.Show(x.Measured, x.Unit), BenchReport.Show(x.Predicted, x.Unit), BenchReport.Error(x.RelativeError)]);
                }

                pt.AddRow([.. row]);
            }

            console.Write(pt);
        }

        var best = v.Sweep.Best;
        console.MarkupLine(best.Point is { } bp
            ? $"[bold]Best operating point:[/] {Markup.Escape(bp.Label)}: {Markup.Escape(best.Why)}"
            : $"[bold]Best operating point:[/] none; {Markup.Escape(best.Why)}");
        console.MarkupLine($"Per-request records (with a \"point\" label): {Markup.Escape(v.Settings.RecordsPath)}");
    }

    private static string Verdict(SweepPoint p, SweepPoint? best) =>
        p.Saturation.ClientBound ? "[red]client-bound[/]" : p.Saturation.OverSaturated ? "[red]over-saturated[/]" : ReferenceEquals(p, best) ? "[green]best[/]" : "ok";

    private static string Cell(HonestyCheck c) => c.Flagged ? $"[red]{Markup.Escape(c.Shown)}[/]" : Markup.Escape(c.Shown);

    private static Table Latency(IReadOnlyList<SweepPoint> points, string title, params (string Name, Func<RunSummary, LatencyStats?> Get)[] metrics)
    {
        var t = new Table().Border(TableBorder.Simple).Title($"[bold]{Markup.Escape(title)}[/]").LeftAligned();
        t.AddColumn(new TableColumn("point").NoWrap());
        foreach (var (name, _) in metrics)
        {
            foreach (var q in new[] { "p50", "p90", "p99" })
                t.AddColumn(new TableColumn($"{name} {q}").RightAligned());
        }

        foreach (var p in points)
        {
            var row = new List<string> { Markup.Escape(p.Label) };
            foreach (var (_, get) in metrics)
            {
                var s = get(p.Summary);
                row.AddRange(s is null ? ["-", "-", "-"] : [Sec(s.P50), Sec(s.P90), Sec(s.P99)]);
            }

            t.AddRow([.. row]);
        }

        return t;
    }

    private static string Sec(double seconds) => Fmt.Time(Core.Units.Duration.FromSeconds(seconds));
}
