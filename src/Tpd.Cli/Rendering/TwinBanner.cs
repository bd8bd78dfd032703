using Tpd.Model.Estimate;
using Tpd.Model.Serving;
using Tpd.Twin.Server;

namespace Tpd.Cli.Rendering;

/// <summary>What `tpd twin` says when it starts listening.</summary>
internal sealed record TwinBannerView(TwinHost Twin, EstimateRequest Request, MemoryBudget Memory, OperatingPoint? Single);

/// <summary>Plain text (no markup): the banner is read by people and grepped by scripts (the URL is on its own line).</summary>
internal static class TwinBanner
{
    public static void Write(TextWriter w, TwinBannerView v)
    {
        var o = v.Twin.Options;
        var s = v.Request.Serving;
        var mode = o.ZeroDelay ? "zero-delay mode: every token at once, no simulator" : $"timed by the simulator on the wall clock, time factor {Fmt.Num(o.TimeFactor, "0.###")}";
        w.WriteLine($"tpd twin: {v.Request.Model.Name} on {s.GpusPerReplica} x {v.Request.Gpu.Id} (tp {s.TensorParallel}, pp {s.PipelineParallel}), {mode}");
        w.WriteLine($"  url             {v.Twin.BaseUri}");
        w.WriteLine($"  served model    {o.ServedModelName}   max_model_len {Fmt.Int(v.Twin.MaxModelLen)}");
        w.WriteLine($"  KV cache        {Fmt.Int(v.Twin.Engine.KvTokens)} tokens ({Fmt.Int(o.Engine.KvBlocks)} blocks of {o.Engine.BlockSize}), {Fmt.Bytes(v.Memory.KvPool)} per GPU");
        w.WriteLine($"  scheduler       max_num_seqs {Fmt.Int(o.Engine.MaxNumSeqs)}, max_num_batched_tokens {Fmt.Int(o.Engine.MaxNumBatchedTokens)}");
        if (v.Single is { } single)
        {
            var wl = v.Request.Workload;
            var scale = o.ZeroDelay ? "" : o.TimeFactor == 1 ? "" : $" (wall: / {Fmt.Num(o.TimeFactor, "0.###")})";
            w.WriteLine($"  one request     {Fmt.Int(wl.InputTokens)} in, {Fmt.Int(wl.OutputTokens)} out: TTFT {Fmt.Time(single.Ttft)}, TPOT {Fmt.Time(single.Tpot)} (tpd estimate){scale}");
        }

        if (!o.Faults.IsNone)
            w.WriteLine($"  faults          {Describe(o.Faults)}");
        w.WriteLine($"  endpoints       POST /v1/chat/completions, POST /v1/completions, GET /v1/models, /health, /metrics, GET|POST /twin/faults");
        w.WriteLine("Ctrl-C to stop.");
        w.Flush();
    }

    private static string Describe(TwinFaults f)
    {
        var parts = new List<string>();
        foreach (var (status, rate) in f.ErrorRates.OrderBy(kv => kv.Key))
            parts.Add($"{status} {Fmt.Num(rate * 100, "0.##")} %");
        if (f.SpikeProbability > 0)
            parts.Add($"spikes {Fmt.Num(f.SpikeProbability * 100, "0.##")} % of steps x {Fmt.Num(f.SpikeSeconds, "0.###")} s");
        if (f.Slowdown != 1)
            parts.Add($"slowdown x{Fmt.Num(f.Slowdown, "0.###")}");
        if (f.CutProbability > 0)
            parts.Add($"cut {Fmt.Num(f.CutProbability * 100, "0.##")} % after {f.CutAfterTokens} tokens");
        if (f.StreamErrorProbability > 0)
            parts.Add($"error frame {Fmt.Num(f.StreamErrorProbability * 100, "0.##")} % after {f.CutAfterTokens} tokens");
        if (f.RefuseConnections)
            parts.Add("refusing connections");
        return string.Join(", ", parts);
    }
}
