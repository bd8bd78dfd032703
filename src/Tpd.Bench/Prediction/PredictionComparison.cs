using Tpd.Core.Measurement;
using Tpd.Model.Roofline;
using Tpd.Simulation.Fleet;

namespace Tpd.Bench.Prediction;

/// <summary>One metric predicted and measured; relative error = (predicted - measured) / measured, null when measured is 0 or either is missing.</summary>
public sealed record PredictedMetric(string Name, string Unit, double? Measured, double? Predicted)
{
    public double? RelativeError => Measured is { } m && Predicted is { } p && m != 0 ? (p - m) / m : null;
}

/// <summary>Predicted-versus-measured for a bench run: the simulator replays the measured workload on a model of the server.</summary>
public sealed record Prediction(RunSummary Predicted, SimulationResult Simulation, IReadOnlyList<PredictedMetric> Metrics);

/// <summary>Runs the simulator on the workload a bench run measured and lines up every metric.</summary>
public static class Predictor
{
    /// <param name="measured">The run's records (warm-up is left out).</param>
    /// <param name="workload">The same records as a simulator workload, under the run's load shape.</param>
    /// <param name="options">Fleet and engine settings of the server under test.</param>
    /// <param name="cost">Step costs (the roofline of the GPU and model).</param>
    /// <param name="measuredSummary">The run's summary.</param>
    /// <param name="slo">SLOs for goodput, as on the measured run.</param>
    /// <param name="costInputs">Price and power, as on the measured run.</param>
    public static Prediction Run(IReadOnlyList<RequestRecord> measured, MeasuredWorkload workload, SimulationOptions options, IStepCostModel cost, RunSummary measuredSummary, SloSpec? slo, CostInputs? costInputs)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(measuredSummary);
        var sink = new RecordList();
        var result = Simulator.Run(options with { KeepInterTokenGaps = true, MaxRequests = workload.Count }, cost, workload, sink);
        var predicted = RunSummary.Of(sink.Records, slo, costInputs);
        return new Prediction(predicted, result, Compare(measuredSummary, predicted));
    }

    /// <summary>TTFT, TPOT, ITL and E2E at p50, p90 and p99, then request, output token and goodput throughputs.</summary>
    public static IReadOnlyList<PredictedMetric> Compare(RunSummary measured, RunSummary predicted)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(predicted);
        var list = new List<PredictedMetric>();
        foreach (var metric in new[] { LatencyMetric.Ttft, LatencyMetric.Tpot, LatencyMetric.Itl, LatencyMetric.E2e })
        {
            var m = measured.Stats(metric);
            var p = predicted.Stats(metric);
            var name = metric.ToString().ToUpperInvariant();
            list.Add(new($"{name} p50", "s", m?.P50, p?.P50));
            list.Add(new($"{name} p90", "s", m?.P90, p?.P90));
            list.Add(new($"{name} p99", "s", m?.P99, p?.P99));
        }

        list.Add(new("request throughput", "requests/s", measured.RequestThroughput.Value, predicted.RequestThroughput.Value));
        list.Add(new("output token throughput", "tokens/s", measured.OutputTokenThroughput.Value.TokensPerSecond, predicted.OutputTokenThroughput.Value.TokensPerSecond));
        if (measured.Slo is { } ms && predicted.Slo is { } ps)
        {
            list.Add(new("goodput", "requests/s", ms.Goodput.Value, ps.Goodput.Value));
            list.Add(new("goodput tokens", "tokens/s", ms.GoodputTokens.Value.TokensPerSecond, ps.GoodputTokens.Value.TokensPerSecond));
        }

        return list;
    }
}
