using Tpd.Core.Units;
using Tpd.Model.Estimate;
using Tpd.Model.Roofline;
using Tpd.Plan.Request;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;

namespace Tpd.Plan.Search;

/// <summary>
/// The preset's traffic in the numbers the analytic screens need: mean prompt and reply per request, and output
/// tokens per second per unit of load. Measured once per plan by running the preset on an engine that is
/// (almost) infinitely fast and large, so the figures are the workload's own, not any GPU's.
/// </summary>
internal sealed record TrafficShape(double MeanInput, double MeanUncachedInput, double MeanOutput, double OutputPerLoad, bool ClosedLoop)
{
    /// <summary>The load the probe runs at: enough requests for stable means without a slow probe.</summary>
    private const double ProbeLoad = 50;

    public static TrafficShape Probe(PlanRequest request)
    {
        var preset = request.Preset;
        var workload = request.Demand.SearchesUsers
            ? preset.ForUsers((int)ProbeLoad)
            : preset.AtRate(preset.IsClosedLoop ? ProbeLoad : 1);
        var load = preset.IsClosedLoop || request.Demand.SearchesUsers ? ProbeLoad : 1;
        var records = new RecordList();
        var options = new SimulationOptions
        {
            Engine = new EngineOptions { KvBlocks = 1 << 26, MaxNumSeqs = 1 << 16, MaxNumBatchedTokens = 1 << 24 },
            Horizon = request.Horizon,
            Seed = request.Seed,
        };
        Simulator.Run(options, new ConstantStep(Duration.FromMilliseconds(1)), workload, records);
        var ok = records.Records.Where(r => r.Outcome == Core.Measurement.RequestOutcome.Ok).ToList();
        if (ok.Count == 0)
            return new TrafficShape(1024, 1024, 256, 1, preset.IsClosedLoop);
        var seconds = Math.Max(request.Horizon.Seconds, ok.Max(r => r.LastTokenSeconds ?? 0));
        return new TrafficShape(
            ok.Average(r => (double)r.InputTokens),
            ok.Average(r => (double)(r.InputTokens - r.CachedInputTokens)),
            ok.Average(r => (double)r.OutputTokens),
            ok.Sum(r => (double)r.OutputTokens) / seconds / load,
            preset.IsClosedLoop);
    }

    /// <summary>The steady-state workload of the estimate model with these means (prefix hits taken off the prompt).</summary>
    public Workload AsWorkload() => new()
    {
        InputTokens = Math.Max(1, (int)Math.Round(MeanUncachedInput)),
        OutputTokens = Math.Max(1, (int)Math.Round(MeanOutput)),
    };

    private sealed class ConstantStep(Duration step) : IStepCostModel
    {
        public Duration StepTime(in StepShape shape) => step;
    }
}
