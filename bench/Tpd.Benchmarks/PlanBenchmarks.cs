using BenchmarkDotNet.Attributes;
using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Plan;
using Tpd.Plan.Request;

namespace Tpd.Benchmarks;

/// <summary>
/// Wall time of the README's main job: `tpd plan` with no flags (Llama-3.1-8B, 1,000 chat users, every catalog GPU,
/// the default SLOs). One operation is a whole plan, so the job runs few iterations; the planner itself uses every
/// core, which is why the machine's core count is part of the result.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class PlanBenchmarks
{
    private PlanRequest _request = null!;

    [GlobalSetup]
    public void Setup() =>
        _request = new PlanRequest
        {
            Model = ModelCatalog.Default.Find("llama-3.1-8b"),
            Demand = PlanDemand.Users(1_000),
            Gpus = GpuCatalog.Default.All,
        };

    [Benchmark]
    public int DefaultPlan() => Planner.Run(_request).Ranked.Count;
}
