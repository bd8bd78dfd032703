using Spectre.Console;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>The human summary of `tpd bench`: MEASURE.md metrics with their formulas, honesty checks and cost.</summary>
internal static class BenchReport
{
    public static void Write(IAnsiConsole console, RunSummary s, LoadResult result, EndpointOptions endpoint, string recordsPath)
    {
        console.MarkupLine($"[bold]tpd bench[/] {Markup.Escape(endpoint.RequestUri.ToString())} model {Markup.Escape(endpoint.Model)}: " +
            $"{s.Requests:N0} requests ({s.Ok:N0} ok, {s.Incomplete:N0} incomplete, {s.Errors:N0} errors), {s.WarmupExcluded} warm-up excluded");
        var t = SummaryTables.Latency(("TTFT", s.Ttft), ("TPOT", s.Tpot), ("ITL", s.Itl), ("E2E", s.E2e));
        console.Write(t);

        var g = SummaryTables.Values("Run");
        g.AddRow("request throughput", $"{Fmt.Num(s.RequestThroughput.Value, "0.##")} req/s", Markup.Escape(s.RequestThroughput.Formula));
        g.AddRow("output tokens/s", Fmt.Rate(s.OutputTokenThroughput.Value.TokensPerSecond), Markup.Escape(s.OutputTokenThroughput.Formula));
        g.AddRow("mean concurrency", Fmt.Num(s.MeanConcurrency.Value, "0.#"), Markup.Escape(s.MeanConcurrency.Formula));
        if (s.Slo is { } slo)
        {
            g.AddRow("goodput", $"{Fmt.Num(slo.Goodput.Value, "0.##")} req/s", Markup.Escape(slo.Goodput.Formula));
            g.AddRow("SLO attainment", $"{slo.Attainment.Value:P1}", "good / ok requests");
        }

        g.AddRow("late sends", $"{result.Schedule.LateShare.Value:P1}", Markup.Escape(result.Schedule.LateShare.Formula));
        if (result.Schedule.AchievedRate is { } achieved)
            g.AddRow("achieved rate", $"{Fmt.Num(achieved.Value, "0.##")} req/s", result.Schedule.TargetRate is { } target ? $"target {Fmt.Num(target.Value, "0.##")}" : "");
        g.AddRow("client CPU", $"{result.Client.CpuShare:P0}", result.ClientBottleneck ? "[red]the client may have been the bottleneck[/]" : Markup.Escape(ClientLoad.Formula));
        if (s.Cost is { } cost)
        {
            if (cost.PerMillionOutputTokens is { } o) g.AddRow("$ per 1M output tokens", Fmt.Dollars(o.Value.Dollars), Markup.Escape(o.Formula));
            if (cost.PerMillionTotalTokens is { } tt) g.AddRow("$ per 1M tokens (in + out)", Fmt.Dollars(tt.Value.Dollars), "");
            if (cost.PerMillionGoodputTokens is { } gp) g.AddRow("$ per 1M goodput tokens", Fmt.Dollars(gp.Value.Dollars), "");
            if (cost.EnergyPerOutputToken is { } e) g.AddRow("joules per output token", Fmt.Num(e.Value.Joules, "0.###"), "");
        }

        console.Write(g);
        console.MarkupLine($"Per-request records: {Markup.Escape(recordsPath)}");
    }
}
