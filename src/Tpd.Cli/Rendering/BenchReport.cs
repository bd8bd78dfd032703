using Spectre.Console;
using Tpd.Bench.Prediction;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>The human summary of `tpd bench`: MEASURE.md metrics with their formulas, honesty checks, cost and predictions.</summary>
internal static class BenchReport
{
    public static void Write(IAnsiConsole console, BenchView v)
    {
        var s = v.Summary;
        var endpoint = v.Settings.Endpoint;
        console.MarkupLine($"[bold]tpd bench[/] {Markup.Escape(endpoint.RequestUri.ToString())} model {Markup.Escape(endpoint.Model)}: " +
            $"{s.Requests:N0} requests ({s.Ok:N0} ok, {s.Incomplete:N0} incomplete, {s.Errors:N0} errors), {s.WarmupExcluded} warm-up excluded");
        console.MarkupLine($"Load: {Markup.Escape(BenchHonesty.DescribeLoad(v.Settings.Plan))}; {Markup.Escape(v.Settings.Workload)}");
        console.Write(SummaryTables.Latency(("TTFT", s.Ttft), ("TPOT", s.Tpot), ("ITL", s.Itl), ("E2E", s.E2e)));
        console.Write(RunTable(s));
        console.Write(HonestyTable(BenchHonesty.Checks(v.Result, s)));
        if (v.Prediction is { } p)
            console.Write(PredictionTable(p, v.Settings.Predict?.Describe ?? "the --predict server"));
        console.MarkupLine($"Per-request records: {Markup.Escape(v.Settings.RecordsPath)}");
    }

    public static Table RunTable(RunSummary s)
    {
        var g = SummaryTables.Values("Run");
        g.AddRow("duration", Fmt.Time(s.Duration.Value), Markup.Escape(s.Duration.Formula));
        g.AddRow("request throughput", $"{Fmt.Num(s.RequestThroughput.Value, "0.##")} req/s", Markup.Escape(s.RequestThroughput.Formula));
        g.AddRow("output tokens/s", Fmt.Rate(s.OutputTokenThroughput.Value.TokensPerSecond), Markup.Escape(s.OutputTokenThroughput.Formula));
        g.AddRow("total tokens/s", Fmt.Rate(s.TotalTokenThroughput.Value.TokensPerSecond), Markup.Escape(s.TotalTokenThroughput.Formula));
        g.AddRow("mean concurrency", Fmt.Num(s.MeanConcurrency.Value, "0.#"), Markup.Escape(s.MeanConcurrency.Formula));
        if (s.Slo is { } slo)
        {
            g.AddRow("goodput", $"{Fmt.Num(slo.Goodput.Value, "0.##")} req/s", Markup.Escape(slo.Goodput.Formula));
            g.AddRow("goodput tokens/s", Fmt.Rate(slo.GoodputTokens.Value.TokensPerSecond), Markup.Escape(slo.GoodputTokens.Formula));
            g.AddRow("SLO attainment", $"{slo.Attainment.Value:P1}", Markup.Escape(slo.Attainment.Formula));
            foreach (var pr in slo.PercentileResults)
                g.AddRow(Markup.Escape(pr.Slo.ToString()), pr.ActualSeconds is { } a ? Fmt.Time(Core.Units.Duration.FromSeconds(a)) : "n/a", pr.Met ? "met" : "[red]missed[/]");
        }

        if (s.Cost is { } cost)
        {
            if (cost.PerMillionOutputTokens is { } o) g.AddRow("$ per 1M output tokens", Fmt.Dollars(o.Value.Dollars), Markup.Escape(o.Formula));
            if (cost.PerMillionTotalTokens is { } tt) g.AddRow("$ per 1M tokens (in + out)", Fmt.Dollars(tt.Value.Dollars), Markup.Escape(tt.Formula));
            if (cost.PerMillionGoodputTokens is { } gp) g.AddRow("$ per 1M goodput tokens", Fmt.Dollars(gp.Value.Dollars), Markup.Escape(gp.Formula));
            if (cost.EnergyPerOutputToken is { } e) g.AddRow("joules per output token", Fmt.Num(e.Value.Joules, "0.###"), Markup.Escape(e.Formula));
        }

        return g;
    }

    public static Table HonestyTable(IReadOnlyList<HonestyCheck> checks)
    {
        var h = SummaryTables.Values("Honesty checks");
        foreach (var c in checks)
            h.AddRow(Markup.Escape(c.Label), c.Flagged ? $"[red]{Markup.Escape(c.Shown)}[/]" : Markup.Escape(c.Shown), Markup.Escape(c.Note));
        return h;
    }

    public static Table PredictionTable(Prediction p, string server)
    {
        var t = new Table().Border(TableBorder.Simple).Title($"[bold]Predicted vs measured[/] ({Markup.Escape(server)}, tpd simulate on the same requests)").LeftAligned();
        t.AddColumn("metric");
        t.AddColumn(new TableColumn("measured").RightAligned());
        t.AddColumn(new TableColumn("predicted").RightAligned());
        t.AddColumn(new TableColumn("error").RightAligned());
        foreach (var m in p.Metrics)
            t.AddRow(Markup.Escape(m.Name), Show(m.Measured, m.Unit), Show(m.Predicted, m.Unit), Error(m.RelativeError));
        return t;
    }

    public static string Show(double? value, string unit) => value switch
    {
        null => "n/a",
        { } v when unit == "s" => Fmt.Time(Core.Units.Duration.FromSeconds(v)),
        { } v when unit == "tokens/s" => Fmt.Rate(v),
        { } v => Fmt.Num(v, "0.###"),
    };

    public static string Error(double? relative) => relative is { } e ? (e >= 0 ? "+" : "") + e.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
