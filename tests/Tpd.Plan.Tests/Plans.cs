using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Plan.Request;

namespace Tpd.Plan.Tests;

/// <summary>Small, fast plan requests: a couple of GPUs, one TP degree, short horizons, few bisection steps.</summary>
internal static class Plans
{
    public static PlanRequest Small(int users = 200, params string[] gpus) => new()
    {
        Model = ModelCatalog.Default.Find("llama-3.1-8b"),
        Demand = PlanDemand.Users(users),
        Gpus = (gpus.Length == 0 ? ["l4", "h100-sxm"] : gpus).Select(GpuCatalog.Default.Get).ToList(),
        TensorParallel = [1],
        WeightFormats = [WeightFormat.Fp8, WeightFormat.Int4()],
        KvFormats = [KvFormat.Fp8],
        Horizon = Duration.FromSeconds(45),
        Warmup = Duration.FromSeconds(15),
        BisectionSteps = 3,
    };
}

/// <summary>Reports on the calling thread, so a test can act on progress at once (Progress&lt;T&gt; posts later).</summary>
internal sealed class SyncProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
