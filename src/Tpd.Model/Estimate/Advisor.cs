using Tpd.Core.Formats;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Estimate;

/// <summary>What to change to fit, or to go faster and cheaper: the "so what" of an estimate.</summary>
internal static class Advisor
{
    private static readonly int[] TpDegrees = [1, 2, 4, 8, 16, 32, 64, 72];

    public static IReadOnlyList<string> WhenNotFitting(EstimateResult r)
    {
        var advice = new List<string>();
        var req = r.Request;
        var m = r.Memory;
        if (m.Deficit > Core.Units.DataSize.Zero)
        {
            advice.Add($"does not fit: weights ({m.Weights.GB:0.#} GB), activations ({m.Activations.GB:0.#} GB) and runtime reserve ({m.RuntimeReserve.GB:0.#} GB) per GPU exceed the {m.Budget.GB:0.#} GB budget " +
                $"({m.Capacity.GB:0.#} GB x {(req.Efficiency.IsIdeal ? 1 : req.Serving.GpuMemoryUtilization):0.##}) by {m.Deficit.GB:0.#} GB");
        }
        else
        {
            advice.Add($"does not fit: the {m.KvPool.GB:0.##} GB KV pool per GPU cannot hold one sequence of {req.Workload.FullContext:N0} tokens ({r.KvBytesPerSequence.GB / r.Gpus:0.##} GB per GPU)");
        }

        var tp = FirstFitting(TpDegrees.Where(t => t > req.Serving.TensorParallel && t <= Math.Max(8, req.Gpu.ScaleUpDomain))
            .Select(t => req with { Serving = req.Serving with { TensorParallel = t } }));
        if (tp is not null)
            advice.Add($"fits with --tp {tp.Serving.TensorParallel} ({tp.Serving.TensorParallel * tp.Serving.PipelineParallel} GPUs per replica)");

        var formats = new List<string>();
        foreach (var f in new[] { WeightFormat.Fp8, WeightFormat.Nvfp4, WeightFormat.Int4(128) })
        {
            if (f.BytesPerParameter >= r.WeightFormat.BytesPerParameter)
                continue;
            if (FirstFitting([req with { Serving = req.Serving with { Weights = f } }]) is not null)
                formats.Add($"--weights {f}");
        }

        if (req.Serving.Kv != KvFormat.Fp8 && FirstFitting([req with { Serving = req.Serving with { Kv = KvFormat.Fp8 } }]) is not null)
            formats.Add("--kv fp8");
        if (formats.Count > 0)
            advice.Add($"fits at --tp {req.Serving.TensorParallel} with {string.Join(" or ", formats)}");
        if (tp is null && formats.Count == 0)
            advice.Add("no TP degree up to the scale-up domain or smaller data type fits; use a GPU with more memory or pipeline parallelism (--pp)");
        return advice;
    }

    public static IReadOnlyList<string> WhenFitting(EstimateResult r)
    {
        var advice = new List<string>();
        if (r.Point is not { } point || r.Roofline is not { } roof)
            return advice;
        var req = r.Request;
        var w = req.Workload;
        var kvLimited = point.KvLimitedSequences < r.MaxNumSeqs && w.Batch is null;

        if (w.Batch is { } b && b > r.MaxConcurrentSequences)
            advice.Add($"batch {b} exceeds the {r.MaxConcurrentSequences} sequences of {w.FullContext:N0} tokens that fit; the engine would preempt");

        switch (roof.Bound)
        {
            case Bound.Memory when point.Step.KvBytes > point.Step.WeightBytes:
                advice.Add($"KV reads dominate the step ({point.Step.KvBytes.GB:0.#} GB vs {point.Step.WeightBytes.GB:0.#} GB of weights): " +
                    (r.KvFormat == KvFormat.Fp8 ? "shorter contexts or a model with fewer KV heads would help" : "--kv fp8 halves them and doubles the sequences that fit"));
                break;
            case Bound.Memory:
                advice.Add(roof.CriticalBatchSize is { } c && c > point.Batch
                    ? $"weights dominate a memory-bound step: batch {point.Batch} is below the critical batch of {c}; " +
                      (kvLimited ? "more KV room (fp8 KV, smaller weights, more GPUs) would raise the batch and the tokens per dollar" : "raise --max-num-seqs")
                    : "weights dominate a memory-bound step: smaller weights (fp8, int4) cut the time per step");
                break;
            case Bound.Compute:
                advice.Add(r.Profile.ComputeType == ComputeType.Bf16 && req.Gpu.DensePeak.ContainsKey(ComputeType.Fp8)
                    ? "compute-bound at BF16: fp8 weights run on FP8 tensor cores at twice the peak"
                    : "compute-bound: throughput is near what this GPU can do; lower TPOT needs a smaller batch or more GPUs");
                break;
            case Bound.Communication:
                advice.Add($"all-reduces over {req.Gpu.ScaleUpLink} dominate: a lower --tp with more replicas is cheaper per token");
                break;
            case Bound.Overhead:
                advice.Add("engine overheads dominate: larger batches amortise them");
                break;
        }

        if (kvLimited)
            advice.Add($"batch is KV-limited at {point.KvLimitedSequences} sequences of ~{w.MeanDecodeContext:N0} tokens" +
                (r.MaxNumSeqs == int.MaxValue ? "" : $" (below max_num_seqs {r.MaxNumSeqs})"));
        return advice;
    }

    private static EstimateRequest? FirstFitting(IEnumerable<EstimateRequest> candidates)
    {
        foreach (var c in candidates)
        {
            if (c.Validate().Count > 0)
                continue;
            var profile = new ModelProfile(c.Model, c.Gpu, c.Serving, c.Efficiency);
            var mem = MemoryBudget.For(profile, c.MemoryPerGpu);
            if (mem.Fits && mem.SequencesAt(profile, c.Workload.FullContext) >= 1)
                return c;
        }

        return null;
    }
}
