using Spectre.Console;

namespace Tpd.Cli.Rendering;

/// <summary>The human report of `tpd simulate`, with each metric's MEASURE.md formula beside it.</summary>
internal static class SimulationReport
{
    public static void Write(IAnsiConsole console, SimulationView v)
    {
        var req = v.Request;
        var s = v.Summary;
        var load = v.Users is { } u ? $"{u:N0} users" : $"rate {Fmt.Num(v.Rate ?? 1)}";
        console.MarkupLine($"[bold]{Markup.Escape(req.Model.Name)}[/] on {v.Replicas} x {req.Serving.GpusPerReplica} x [bold]{Markup.Escape(req.Gpu.Name)}[/] " +
            $"(TP{req.Serving.TensorParallel}), {Markup.Escape(v.Preset)} workload, {Markup.Escape(load)}, {v.Routing} routing, {Fmt.Num(v.DurationSeconds, "N0")} s simulated, seed {v.Seed}");
        console.MarkupLine($"Requests: {v.Result.Submitted:N0} submitted, {v.Result.Completed:N0} completed, {v.Result.Rejected:N0} rejected (too long), {s.Errors:N0} errors");
        console.WriteLine();

        var t = SummaryTables.Latency(("TTFT", s.Ttft), ("TPOT", s.Tpot), ("E2E", s.E2e), ("NTPOT", s.Ntpot));
        console.Write(t);

        var g = SummaryTables.Values("Fleet");
        g.AddRow("request throughput", $"{Fmt.Num(s.RequestThroughput.Value, "0.##")} req/s", Markup.Escape(s.RequestThroughput.Formula));
        g.AddRow("output tokens/s", Fmt.Rate(s.OutputTokenThroughput.Value.TokensPerSecond), $"{Fmt.Rate(s.OutputTokenThroughput.Value.TokensPerSecond / v.Gpus)} per GPU");
        g.AddRow("total tokens/s", Fmt.Rate(s.TotalTokenThroughput.Value.TokensPerSecond), "");
        if (s.Slo is { } slo)
        {
            g.AddRow("goodput", $"{Fmt.Num(slo.Goodput.Value, "0.##")} req/s", Markup.Escape(v.SloText ?? ""));
            g.AddRow("SLO attainment", $"{slo.Attainment.Value:P1}", "good / ok requests");
        }

        g.AddRow("mean concurrency", Fmt.Num(s.MeanConcurrency.Value, "0.#"), Markup.Escape(s.MeanConcurrency.Formula));
        g.AddRow("engine busy", $"{v.MeanUtilization:P0}", "time spent in engine steps / duration, mean over replicas (busy is not saturated)");
        g.AddRow("KV usage mean / peak", $"{v.MeanKvUsage:P0} / {v.PeakKvUsage:P0}", "");
        g.AddRow("preemptions", Fmt.Int(v.Result.Preemptions), "recompute, as vLLM v1");
        g.AddRow("prefix-cache hit rate", $"{v.Result.PrefixCacheHitRate:P1}", "cached / prompt tokens");
        console.Write(g);

        var c = SummaryTables.Values("Cost");
        c.AddRow("fleet price", $"{Fmt.Dollars(v.FleetPrice.DollarsPerHour)}/hour", $"{v.Gpus} GPU{(v.Gpus == 1 ? "" : "s")} at {Markup.Escape(req.ResolvedPrice.Description)}");
        if (s.Cost is { } cost)
        {
            if (cost.PerMillionOutputTokens is { } o) c.AddRow("$ per 1M output tokens", Fmt.Dollars(o.Value.Dollars), Markup.Escape(o.Formula));
            if (cost.PerMillionTotalTokens is { } tt) c.AddRow("$ per 1M tokens (in + out)", Fmt.Dollars(tt.Value.Dollars), "");
            if (cost.PerMillionGoodputTokens is { } gp) c.AddRow("$ per 1M goodput tokens", Fmt.Dollars(gp.Value.Dollars), "output tokens of requests meeting every SLO");
        }

        if (v.DollarsPerUserMonth is { } perUser)
            c.AddRow("$ per user per month", Fmt.Dollars(perUser), $"{v.Users:N0} users, 720 hours");
        console.Write(c);
    }
}
