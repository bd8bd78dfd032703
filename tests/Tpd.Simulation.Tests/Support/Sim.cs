using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Support;

/// <summary>Runs a simulation and keeps its records.</summary>
internal static class Sim
{
    /// <summary>10 ms per step + 0.1 ms per token + 1 us per context token: a small dense model's shape.</summary>
    public static LinearStepCost DefaultCost() => new(0.010, 0.0001, 0.000001);

    public static EngineOptions Engine(int kvBlocks = 100_000, int maxSeqs = 256, int budget = 2048) =>
        new() { KvBlocks = kvBlocks, MaxNumSeqs = maxSeqs, MaxNumBatchedTokens = budget };

    public static (SimulationResult Result, IReadOnlyList<RequestRecord> Records) Run(
        IWorkload workload,
        double horizonSeconds,
        EngineOptions? engine = null,
        int replicas = 1,
        RoutingPolicy routing = RoutingPolicy.LeastOutstanding,
        long seed = 1,
        IStepCostModel? cost = null,
        bool keepGaps = false,
        int? affinitySaturation = null)
    {
        var sink = new RecordList();
        var options = new SimulationOptions
        {
            Engine = engine ?? Engine(),
            Replicas = replicas,
            Routing = routing,
            Seed = seed,
            Horizon = Duration.FromSeconds(horizonSeconds),
            KeepInterTokenGaps = keepGaps,
            AffinitySaturation = affinitySaturation,
        };
        var result = Simulator.Run(options, cost ?? DefaultCost(), workload, sink);
        return (result, sink.Records);
    }

    public static TraceReplayWorkload SessionTrace(params (double At, int In, int Out, string Session)[] rows) =>
        new(rows.Select(r => new TraceEntry(r.At, r.In, r.Out, r.Session)));

    public static TraceReplayWorkload Trace(params (double At, int In, int Out)[] rows) =>
        new(rows.Select(r => new TraceEntry(r.At, r.In, r.Out)));
}
