using BenchmarkDotNet.Attributes;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Workloads;

namespace Tpd.Benchmarks;

/// <summary>
/// Simulation speed with real roofline step costs: a fleet of Llama-3.1-70B FP8 replicas (TP2 on H100 SXM) under
/// Poisson arrivals, one simulated minute per operation. Divide the requests (reported) by the mean time for
/// simulated requests per wall second.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SimulationBenchmarks
{
    private RooflineStepModel _cost = null!;
    private int _kvBlocks;

    [Params(10, 100)]
    public int Replicas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var profile = new ModelProfile(ModelCatalog.Default.Find("llama-3.1-70b"), GpuCatalog.Default.Get("h100-sxm"),
            new ServingConfig { TensorParallel = 2, Weights = WeightFormat.Fp8, Kv = KvFormat.Fp8 }, Efficiency.Default);
        _cost = new RooflineStepModel(profile);
        _kvBlocks = (int)MemoryBudget.For(profile).KvBlocks;
    }

    /// <summary>One simulated minute at 10 requests/s per replica (1,000 requests/s for 100 replicas).</summary>
    [Benchmark]
    public long SimulatedMinute()
    {
        var options = new SimulationOptions
        {
            Engine = new EngineOptions { KvBlocks = _kvBlocks },
            Replicas = Replicas,
            Seed = 42,
            Horizon = Duration.FromSeconds(60),
        };
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(10.0 * Replicas),
            RequestLengths.Independent(LengthDistribution.LogNormal(1024, 0.5, max: 8192), LengthDistribution.LogNormal(256, 0.5, max: 2048)));
        return Simulator.Run(options, _cost, workload).Completed;
    }
}
