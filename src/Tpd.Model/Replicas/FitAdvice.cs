using Tpd.Core.Formats;

namespace Tpd.Model.Replicas;

/// <summary>What would fit when a setup does not: a larger TP degree, or smaller weight and KV types at the same TP.</summary>
internal static class FitAdvice
{
    private static readonly int[] TpDegrees = [1, 2, 4, 8, 16, 32, 64, 72];

    public static IReadOnlyList<string> For(ReplicaBuilder builder, ReplicaSetup setup, double? sequenceTokens, WeightFormat current)
    {
        var advice = new List<string>();
        var serving = setup.Serving;
        bool Fits(Serving.ServingConfig s)
        {
            var alternative = setup with { Serving = s };
            return builder.Validate(alternative).Count == 0 && builder.Assemble(alternative, sequenceTokens).Fits;
        }

        var tp = TpDegrees.Where(t => t > serving.TensorParallel && t <= Math.Max(8, setup.Gpu.ScaleUpDomain))
            .Select(t => serving with { TensorParallel = t })
            .FirstOrDefault(Fits);
        if (tp is not null)
            advice.Add($"fits with --tp {tp.TensorParallel} ({tp.GpusPerReplica} GPUs per replica)");

        var formats = new List<string>();
        foreach (var f in new[] { WeightFormat.Fp8, WeightFormat.Nvfp4, WeightFormat.Int4(128) })
        {
            if (f.BytesPerParameter < current.BytesPerParameter && Fits(serving with { Weights = f }))
                formats.Add($"--weights {f}");
        }

        if (serving.Kv != KvFormat.Fp8 && Fits(serving with { Kv = KvFormat.Fp8 }))
            formats.Add("--kv fp8");
        if (formats.Count > 0)
            advice.Add($"fits at --tp {serving.TensorParallel} with {string.Join(" or ", formats)}");
        if (tp is null && formats.Count == 0)
            advice.Add("no TP degree up to the scale-up domain or smaller data type fits; use a GPU with more memory or pipeline parallelism (--pp)");
        return advice;
    }
}
