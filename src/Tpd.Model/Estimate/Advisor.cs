using Tpd.Core.Formats;
using Tpd.Model.Roofline;

namespace Tpd.Model.Estimate;

/// <summary>What to change to go faster and cheaper: the "so what" of an estimate that fits (what would fit is <see cref="Replicas.ReplicaDeficit.Advice"/>).</summary>
internal static class Advisor
{
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
}
