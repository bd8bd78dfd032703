using Tpd.Bench.Load;
using Tpd.Bench.Prediction;
using Tpd.Core.Catalog;
using Tpd.Core.Measurement;
using Tpd.Core.Models;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;

namespace Tpd.Bench.Tests.Prediction;

public class PredictorTests
{
    private static readonly ModelProfile Profile = new(ModelCatalog.Default.Find("llama-3.1-8b"), GpuCatalog.Default.Get("h100-sxm"), new ServingConfig(), Efficiency.Default);

    private static readonly SimulationOptions Options = new()
    {
        Engine = new EngineOptions { KvBlocks = (int)MemoryBudget.For(Profile).KvBlocks },
        Horizon = Core.Units.Duration.FromHours(24),
    };

    /// <summary>Measured-looking records: n requests of 200 in and 50 out, due every gap seconds, each lasting 1 s.</summary>
    private static List<RequestRecord> Records(int n, double gap) => [.. Enumerable.Range(0, n).Select(i => new RequestRecord
    {
        Id = i, Outcome = RequestOutcome.Ok, ScheduledSeconds = 5 + (i * gap), SendSeconds = 5 + (i * gap), FirstTokenSeconds = 5.05 + (i * gap),
        LastTokenSeconds = 6 + (i * gap), EndSeconds = 6 + (i * gap), InputTokens = 200, OutputTokens = 50, RequestedOutputTokens = 50,
    })];

    private static (IReadOnlyList<RequestRecord> Sim, RunSummary Summary) Simulate(IReadOnlyList<RequestRecord> measured, LoadPlan plan)
    {
        var sink = new RecordList();
        Simulator.Run(Options with { KeepInterTokenGaps = true }, new RooflineStepModel(Profile), new MeasuredWorkload(measured, plan), sink);
        return (sink.Records, RunSummary.Of(sink.Records));
    }

    [Fact]
    public void Open_loop_replay_arrives_at_the_measured_due_times_with_the_measured_lengths()
    {
        var measured = Records(10, 0.5);
        var (sim, _) = Simulate(measured, new LoadPlan { Rate = 2, MaxRequests = 10 });
        sim.Count.ShouldBe(10);
        sim.Select(r => r.SendSeconds).Order().ShouldBe(Enumerable.Range(0, 10).Select(i => i * 0.5), tolerance: 1e-9);
        sim.ShouldAllBe(r => r.InputTokens == 200 && r.OutputTokens == 50);
    }

    [Fact]
    public void Closed_loop_replay_keeps_the_measured_concurrency()
    {
        var (sim, summary) = Simulate(Records(12, 0), new LoadPlan { Concurrency = 3, MaxRequests = 12 });
        sim.Count.ShouldBe(12);
        // Never more than 3 in flight: at every send, at most 2 others have started and not finished.
        foreach (var r in sim)
            sim.Count(o => o.SendSeconds < r.SendSeconds && o.EndSeconds > r.SendSeconds).ShouldBeLessThanOrEqualTo(2);
        summary.MeanConcurrency.Value.ShouldBeLessThanOrEqualTo(3.0001);
    }

    [Fact]
    public void A_concurrency_cap_holds_due_requests_back()
    {
        var (sim, _) = Simulate(Records(10, 0.001), new LoadPlan { Rate = 1000, Concurrency = 2, MaxRequests = 10 });
        foreach (var r in sim)
            sim.Count(o => o.SendSeconds < r.SendSeconds && o.EndSeconds > r.SendSeconds).ShouldBeLessThanOrEqualTo(1);
        sim.Max(r => r.SendSeconds - r.ScheduledSeconds).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Run_compares_every_latency_percentile_and_the_throughputs_with_relative_errors()
    {
        var measured = Records(10, 0.5);
        var slo = SloSpec.Parse("ttft<=1s");
        var summary = RunSummary.Of(measured, slo);
        var plan = new LoadPlan { Rate = 2, MaxRequests = 10 };
        var prediction = Predictor.Run(measured, new MeasuredWorkload(measured, plan), Options, new RooflineStepModel(Profile), summary, slo, null);

        prediction.Metrics.Select(m => m.Name).ShouldBe([
            "TTFT p50", "TTFT p90", "TTFT p99", "TPOT p50", "TPOT p90", "TPOT p99", "ITL p50", "ITL p90", "ITL p99",
            "E2E p50", "E2E p90", "E2E p99", "request throughput", "output token throughput", "goodput", "goodput tokens"]);
        var ttft = prediction.Metrics[0];
        ttft.Measured!.Value.ShouldBe(0.05, 1e-9);
        ttft.Predicted.ShouldBe(prediction.Predicted.Ttft!.P50);
        ttft.RelativeError!.Value.ShouldBe((ttft.Predicted!.Value - 0.05) / 0.05, 1e-12);
        // Measured records kept no gaps: ITL is "not measured", so it has no error.
        prediction.Metrics.Single(m => m.Name == "ITL p50").RelativeError.ShouldBeNull();
        prediction.Simulation.Completed.ShouldBe(10);
    }
}
