using BenchmarkDotNet.Attributes;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Model.Estimate;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Benchmarks;

/// <summary>
/// How fast the model prices things. The planner evaluates an operating point (memory fit, steady-state step,
/// TTFT, throughput) for every candidate; the simulator prices one step per engine iteration.
/// </summary>
[MemoryDiagnoser]
public class EstimateBenchmarks
{
    private RooflineStepModel _model = null!;
    private MemoryBudget _memory;
    private EstimateRequest _request = null!;
    private readonly Workload _workload = new() { InputTokens = 1024, OutputTokens = 256 };
    private int _batch;

    [Params("llama-3.1-70b", "deepseek-v3")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var model = ModelCatalog.Default.Find(Model);
        var gpu = GpuCatalog.Default.Get("h200");
        var serving = new ServingConfig { TensorParallel = 8, Weights = WeightFormat.Fp8, Kv = KvFormat.Fp8 };
        var profile = new ModelProfile(model, gpu, serving, Efficiency.Default);
        _model = new RooflineStepModel(profile);
        _memory = MemoryBudget.For(profile);
        _batch = (int)Math.Min(_memory.SequencesAt(profile, _workload.MeanDecodeContext), 1024);
        _request = new EstimateRequest { Model = model, Gpu = gpu, Serving = serving, Workload = _workload };
    }

    /// <summary>One step priced by the roofline: the simulator's inner call.</summary>
    [Benchmark]
    public double StepTime() => _model.StepTime(new StepShape(512, 2, 512 * 700, 0, _batch, _batch * 1152.0)).Seconds;

    /// <summary>One estimate evaluation for a prepared model x GPU x serving profile: the planner's inner call.</summary>
    [Benchmark]
    public double OperatingPoint() => SteadyState.At(_model, _memory, _workload, _batch).OutputRate.TokensPerSecond;

    /// <summary>The fit check the planner prunes with: KV pool and sequences at a context.</summary>
    [Benchmark]
    public long FitCheck() => _memory.SequencesAt(_model.Profile, _workload.FullContext);

    /// <summary>A whole `tpd estimate` from resolved inputs: profile, memory, both operating points, roofline facts, cost, advice.</summary>
    [Benchmark]
    public double FullEstimate() => Estimator.Estimate(_request).Point!.Value.Tpot.Seconds;
}
