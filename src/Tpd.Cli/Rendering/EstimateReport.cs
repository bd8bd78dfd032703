using Spectre.Console;
using Tpd.Core.Formats;
using Tpd.Model.Estimate;
using Tpd.Model.Validation;

namespace Tpd.Cli.Rendering;

/// <summary>The human report of `tpd estimate`: what fits, how fast, what it costs, why, and what to change.</summary>
internal static class EstimateReport
{
    public static void Write(IAnsiConsole console, EstimateResult r, PublishedCheck? check = null)
    {
        var req = r.Request;
        var s = req.Serving;
        var w = req.Workload;
        var mode = req.Efficiency.IsIdeal ? " [yellow](ideal: peak rates, no overheads)[/]" : "";
        console.MarkupLine($"[bold]{Esc(req.Model.Name)}[/] on {r.Gpus} x [bold]{Esc(req.Gpu.Name)}[/] (TP{s.TensorParallel}{(s.PipelineParallel > 1 ? $" PP{s.PipelineParallel}" : "")}), {r.WeightFormat} weights, {r.KvFormat.Name()} KV{mode}");
        var shape = w.ContextTokens is { } ctx
            ? $"every sequence at {Fmt.Int(ctx)} tokens of context (pure decode)"
            : $"{Fmt.Int(w.InputTokens)} tokens in, {Fmt.Int(w.OutputTokens)} out";
        console.MarkupLine($"Workload: {shape}; batch: {(w.Batch is { } b ? Fmt.Int(b) : "largest that fits")}");
        console.WriteLine();

        WriteMemory(console, r);
        if (r.Point is { } point && r.Single is { } single)
        {
            WritePerformance(console, r, point, single);
            WriteRoofline(console, r, point);
            WriteCost(console, r);
        }

        if (r.Advice.Count > 0)
        {
            console.MarkupLine(r.Fits ? "[bold]What to change[/]" : "[bold red]Does not fit[/]");
            foreach (var a in r.Advice)
                console.MarkupLine($"  - {Esc(a)}");
        }

        if (check is not null)
            console.MarkupLine($"[bold]Checked against published data[/]{(check.OutsideTolerance ? " [yellow](optimistic on this GPU)[/]" : "")}: {Esc(check.Describe)}");
    }

    private static void WriteMemory(IAnsiConsole console, EstimateResult r)
    {
        var m = r.Memory;
        var p = r.Parameters;
        var table = Table("Memory", "per GPU", "replica");
        var active = p.Active < p.Total * 0.999 ? $" ({Fmt.Count(p.Active)} active)" : "";
        table.AddRow("parameters", "", Fmt.Count(p.Total) + active);
        var util = r.Request.Efficiency.IsIdeal ? 1 : r.Request.Serving.GpuMemoryUtilization;
        table.AddRow($"capacity x {Fmt.Num(util)} utilisation", $"{Fmt.Bytes(m.Capacity)} -> {Fmt.Bytes(m.Budget)}", Fmt.Bytes(m.Budget * r.Gpus));
        table.AddRow($"weights ({r.WeightFormat}, {Fmt.Num(r.Profile.Weights.BitsPerParameter, "0.##")} bits/param)", Fmt.Bytes(m.Weights), Fmt.Bytes(r.Profile.Weights.Total));
        table.AddRow("activations + runtime reserve", Fmt.Bytes(m.Activations + m.RuntimeReserve), Fmt.Bytes((m.Activations + m.RuntimeReserve) * r.Gpus));
        table.AddRow("KV pool", Fmt.Bytes(m.KvPool), Fmt.Bytes(m.KvPool * r.Gpus));
        table.AddRow($"KV per token ({r.KvFormat.Name()})", $"{Fmt.Int((long)r.KvBytesPerTokenPerGpu.Bytes)} B", $"{Fmt.Int((long)r.KvBytesPerToken.Bytes)} B");
        table.AddRow($"KV per sequence at {Fmt.Int((long)r.Request.Workload.FullContext)} tokens", "", Fmt.Bytes(r.KvBytesPerSequence));
        table.AddRow("max concurrent sequences", "", r.Fits
            ? $"{Fmt.Int(r.MaxConcurrentSequences)}{(r.KvLimitedSequences > r.MaxNumSeqs ? $" (max_num_seqs; KV holds {Fmt.Int(r.KvLimitedSequences)})" : "")}"
            : "0 (does not fit)");
        console.Write(table);
    }

    private static void WritePerformance(IAnsiConsole console, EstimateResult r, OperatingPoint point, OperatingPoint single)
    {
        var w = r.Request.Workload;
        var table = Table("Performance", "single request", $"batch {Fmt.Int(point.Batch)}");
        table.AddRow("prefill of one prompt", Fmt.Time(single.PrefillAlone), Fmt.Time(point.PrefillAlone));
        table.AddRow("TTFT (no queueing)", Fmt.Time(single.Ttft), Fmt.Time(point.Ttft));
        table.AddRow("TPOT (one engine step)", Fmt.Time(single.Tpot), Fmt.Time(point.Tpot));
        table.AddRow($"E2E for {Fmt.Int(w.OutputTokens)} tokens", Fmt.Time(single.E2e(w.OutputTokens)), Fmt.Time(point.E2e(w.OutputTokens)));
        table.AddRow("tokens/s per user", Fmt.Rate(single.PerUserTokensPerSecond), Fmt.Rate(point.PerUserTokensPerSecond));
        table.AddRow("output tokens/s (replica)", Fmt.Rate(single.OutputRate.TokensPerSecond), Fmt.Rate(point.OutputRate.TokensPerSecond));
        table.AddRow("output tokens/s per GPU", Fmt.Rate(single.OutputRate.TokensPerSecond / r.Gpus), Fmt.Rate(point.OutputRate.TokensPerSecond / r.Gpus));
        console.Write(table);
    }

    private static void WriteRoofline(IAnsiConsole console, EstimateResult r, OperatingPoint point)
    {
        if (r.Roofline is not { } roof)
            return;
        var s = point.Step;
        var p = r.Profile;
        var table = Table($"Roofline of one step at batch {Fmt.Int(point.Batch)}", "value", "");
        table.AddRow("FLOPs / HBM bytes per GPU", $"{Fmt.Num(s.Flops.Teraflops, "0.###")} TFLOP / {Fmt.Bytes(s.Bytes)}", $"weights {Fmt.Bytes(s.WeightBytes)}, KV {Fmt.Bytes(s.KvBytes)}");
        table.AddRow("linear layers: compute | weights", $"{Fmt.Time(s.LinearComputeTime)} | {Fmt.Time(s.WeightReadTime)}", $"MFU {Fmt.Num(r.Request.Efficiency.Mfu)}, MBU {Fmt.Num(r.Request.Efficiency.Mbu)}; the longer one counts");
        table.AddRow("attention: compute | KV", $"{Fmt.Time(s.AttentionComputeTime)} | {Fmt.Time(s.KvReadTime)}", "a separate kernel: adds to the linear layers");
        table.AddRow("communication | overhead", $"{Fmt.Time(s.CommunicationTime)} | {Fmt.Time(s.OverheadTime)}", r.Request.Serving.TensorParallel > 1 ? $"{2 * r.Request.Model.NumLayers} all-reduces over {Esc(r.Request.Gpu.ScaleUpLink)}" : "");
        table.AddRow("arithmetic intensity", $"{Fmt.Num(roof.ArithmeticIntensity, "0.#")} FLOP/byte", "");
        table.AddRow($"machine balance ({p.ComputeType.ToString().ToUpperInvariant()})", $"{Fmt.Num(roof.MachineBalance, "0")} FLOP/byte", $"{Fmt.Num(p.Peak.Teraflops, "0")} TFLOP/s / {Fmt.Num(r.Request.Gpu.MemoryBandwidth.TBps, "0.##")} TB/s");
        table.AddRow("critical batch size", roof.CriticalBatchSize is { } c ? Fmt.Int(c) : "none", roof.CriticalBatchSize is null ? "pure decode never turns compute-bound at this context: KV reads grow with the batch as fast as FLOPs" : "pure decode turns compute-bound at this batch");
        console.Write(table);
        console.MarkupLine($"[bold]Bound:[/] {Esc(roof.Explanation)}");
        console.WriteLine();
    }

    private static void WriteCost(IAnsiConsole console, EstimateResult r)
    {
        if (r.Cost is not { } c)
            return;
        var table = Table("Cost", "value", "");
        table.AddRow("price", $"{Fmt.Dollars(c.PerReplica.DollarsPerHour)}/hour", Esc(c.PriceSource) + (r.Gpus > 1 ? $" x {r.Gpus} GPUs" : ""));
        table.AddRow("$ per 1M output tokens", Fmt.Dollars(c.DollarsPerMillionOutput), "whole price over output tokens");
        table.AddRow("$ per 1M tokens (in + out)", Fmt.Dollars(c.DollarsPerMillionTotal), "");
        table.AddRow("split by step time", $"{Fmt.Dollars(c.SplitDollarsPerMillionInput)} in, {Fmt.Dollars(c.SplitDollarsPerMillionOutput)} out", "per 1M tokens, priced by prefill vs decode share");
        table.AddRow("tokens per joule", $"{Fmt.Num(c.OutputTokensPerJoule, "0.###")} out, {Fmt.Num(c.TotalTokensPerJoule, "0.###")} total", $"at {Fmt.Num(c.Power.Watts, "0")} W");
        table.AddRow($"users served (duty cycle {Fmt.Num(c.DutyCycle)})", Fmt.Num(Math.Floor(c.UsersServed), "N0"), "concurrent sequences / duty cycle");
        table.AddRow($"$ per user (for {Fmt.Int(c.UsersPriced)} users)", $"{Fmt.Dollars(c.DollarsPerUserHour)}/hour, {Fmt.Dollars(c.DollarsPerUserMonth)}/month", "720 hours a month");
        console.Write(table);
    }

    private static Table Table(string title, string col1, string col2)
    {
        var t = new Table().Border(TableBorder.Simple).Title($"[bold]{Esc(title)}[/]").LeftAligned();
        t.AddColumn(new TableColumn("").NoWrap());
        t.AddColumn(new TableColumn(Esc(col1)).RightAligned());
        t.AddColumn(new TableColumn(Esc(col2)));
        return t;
    }

    private static string Esc(string s) => Markup.Escape(s);
}
