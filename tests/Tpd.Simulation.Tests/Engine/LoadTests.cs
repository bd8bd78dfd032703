using Tpd.Core.Measurement;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Engine;

public class LoadTests
{
    private const double Horizon = 60;

    private static (double Throughput, double MeanE2e) RunAt(double rate)
    {
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(rate), RequestLengths.Independent(LengthDistribution.Fixed(200), LengthDistribution.Fixed(100)));
        var (_, records) = Sim.Run(workload, Horizon, seed: 11);
        var done = records.Count(r => r.LastTokenSeconds <= Horizon);
        return (done / Horizon, records.Average(r => r.E2eSeconds!.Value));
    }

    [Fact]
    public void Throughput_follows_offered_load_below_capacity_then_saturates_while_latency_grows()
    {
        var light = RunAt(5);
        var medium = RunAt(10);
        var heavy = RunAt(60);
        var overload = RunAt(120);

        light.Throughput.ShouldBe(5, 0.75);
        medium.Throughput.ShouldBe(10, 1.5);
        heavy.Throughput.ShouldBeLessThan(0.8 * 60, "60 req/s is past this replica's capacity");
        overload.Throughput.ShouldBe(heavy.Throughput, 0.15 * heavy.Throughput);
        heavy.MeanE2e.ShouldBeGreaterThan(3 * light.MeanE2e);
        overload.MeanE2e.ShouldBeGreaterThan(heavy.MeanE2e);
    }

    [Fact]
    public void Littles_law_holds_on_the_records()
    {
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(3), RequestLengths.Independent(LengthDistribution.LogNormal(300, 0.7), LengthDistribution.LogNormal(150, 0.7, 1000)));
        var (_, records) = Sim.Run(workload, 400, seed: 5);
        const double a = 50, b = 350;

        // L: time-average number of requests in the system over [a, b], integrated from the records.
        var inSystem = records.Sum(r => Math.Max(0, Math.Min(b, r.LastTokenSeconds!.Value) - Math.Max(a, r.SendSeconds))) / (b - a);
        var arrived = records.Where(r => r.SendSeconds >= a && r.SendSeconds < b).ToList();
        var lambda = arrived.Count / (b - a);
        var w = arrived.Average(r => r.E2eSeconds!.Value);

        inSystem.ShouldBeGreaterThan(1, "the test needs real concurrency");
        inSystem.ShouldBe(lambda * w, 0.05 * inSystem);
    }

    [Fact]
    public void Utilization_and_kv_usage_rise_with_load()
    {
        var (lightResult, _) = Sim.Run(new OpenLoopWorkload(ArrivalProcess.Poisson(1), RequestLengths.Independent(LengthDistribution.Fixed(200), LengthDistribution.Fixed(100))), 60, seed: 2);
        var (heavyResult, _) = Sim.Run(new OpenLoopWorkload(ArrivalProcess.Poisson(15), RequestLengths.Independent(LengthDistribution.Fixed(200), LengthDistribution.Fixed(100))), 60, seed: 2);

        var light = lightResult.Replicas[0];
        var heavy = heavyResult.Replicas[0];
        light.Utilization.ShouldBeInRange(0.05, 0.9);
        heavy.Utilization.ShouldBeGreaterThan(light.Utilization);
        heavy.MeanKvUsage.ShouldBeGreaterThan(light.MeanKvUsage);
        heavy.PeakKvUsage.ShouldBeGreaterThanOrEqualTo(heavy.MeanKvUsage);
        heavy.DecodeTokens.ShouldBe(heavyResult.Completed * 99);
    }

    [Fact]
    public void Closed_loop_keeps_exactly_its_concurrency_in_flight()
    {
        var (result, records) = Sim.Run(new ClosedLoopWorkload(5, RequestLengths.Independent(LengthDistribution.Fixed(50), LengthDistribution.Fixed(20))), 20);

        result.Submitted.ShouldBeGreaterThan(50);
        foreach (var t in new[] { 2.0, 7.5, 13.0 })
            records.Count(r => r.SendSeconds <= t && r.LastTokenSeconds > t).ShouldBe(5);
        records.ShouldAllBe(r => r.Outcome == RequestOutcome.Ok);
    }
}
