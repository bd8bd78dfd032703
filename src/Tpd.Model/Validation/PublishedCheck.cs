using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Model.Estimate;
using Tpd.Model.Serving;

namespace Tpd.Model.Validation;

/// <summary>
/// The model's prediction for a published run next to what was measured. Ratio above 1: tpd's figures for this GPU
/// run high (optimistic); the model claims ±20 % (one MFU and MBU for every GPU and engine), so outside that band a
/// user should discount this GPU's figures by about the ratio.
/// </summary>
public sealed record PublishedCheck(PublishedRun Run, double PredictedPerGpu, int TensorParallel)
{
    /// <summary>The band the model claims: engines differ by 10-20 % among themselves on the same GPU.</summary>
    public const double Tolerance = 0.2;

    private static readonly int[] TensorParallelDegrees = [1, 2, 4, 8];

    public double Ratio => PredictedPerGpu / Run.OutputTokensPerSecondPerGpu;

    public bool OutsideTolerance => Math.Abs(Ratio - 1) > Tolerance;

    public string Describe =>
        $"{Run.Describe}; tpd predicts {PredictedPerGpu:#,0} (TP{TensorParallel}), {Ratio:0.00}x the measurement" +
        (OutsideTolerance ? $": outside the ±{Tolerance:P0} the model claims, so discount this GPU's figures" : $", within the ±{Tolerance:P0} the model claims");

    /// <summary>
    /// The check for <paramref name="gpu"/> with the given efficiency constants (null: no published run for it). The
    /// prediction takes the tensor-parallel degree, up to the run's GPUs, that gives the most tokens per GPU, as
    /// submitters tune it.
    /// </summary>
    public static PublishedCheck? For(GpuSpec gpu, Efficiency? efficiency = null)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        if (PublishedRuns.For(gpu.Id) is not { } run || !ModelCatalog.Default.TryFind(run.ModelId, out var model))
            return null;
        var best = (PerGpu: 0.0, Tp: 0);
        foreach (var tp in TensorParallelDegrees.Where(tp => tp <= run.Gpus))
        {
            var r = Estimator.Estimate(new EstimateRequest
            {
                Model = model,
                Gpu = gpu,
                Serving = new ServingConfig { TensorParallel = tp, Weights = run.Weights, Kv = KvFormat.Fp8 },
                Workload = new Workload { InputTokens = run.InputTokens, OutputTokens = run.OutputTokens },
                Efficiency = efficiency ?? Efficiency.Default,
            });
            var perGpu = r.Fits && r.Point is { } p ? p.OutputRate.TokensPerSecond / tp : 0;
            if (perGpu > best.PerGpu)
                best = (perGpu, tp);
        }

        return best.Tp == 0 ? null : new PublishedCheck(run, best.PerGpu, best.Tp);
    }
}
