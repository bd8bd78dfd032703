using Tpd.Bench.Load;
using Tpd.Bench.Sweep;
using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Bench.Tests.Sweep;

public class SweepRunnerTests
{
    private static readonly SweepPlan Plan = new() { Rates = 4, SaturationConcurrency = 32, Point = new LoadPlan { MaxRequests = 100, Warmup = 3 } };

    [Fact]
    public void RatesBetween_spaces_rates_evenly_strictly_between_the_two_ends()
    {
        Plan.RatesBetween(2, 12).ShouldBe([4, 6, 8, 10]);
        // A server slower at saturation than alone still gets rates between the two.
        Plan.RatesBetween(12, 2).ShouldBe([4, 6, 8, 10]);
    }

    [Fact]
    public void The_end_points_are_closed_loops_and_only_the_first_warms_up()
    {
        Plan.Synchronous.Concurrency.ShouldBe(1);
        Plan.Synchronous.Warmup.ShouldBe(3);
        Plan.Saturation.Concurrency.ShouldBe(32);
        Plan.Saturation.Warmup.ShouldBe(0);
        (Plan with { Point = Plan.Point with { MaxRequests = 10 } }).Saturation.Concurrency.ShouldBe(10);
    }

    [Fact]
    public async Task RunAsync_runs_synchronous_saturation_then_rates_and_stops_at_the_first_over_saturated_rate()
    {
        var ran = new List<SweepPointSpec>();
        var result = await SweepRunner.RunAsync(
            Plan,
            (spec, _) =>
            {
                ran.Add(spec);
                return Task.FromResult(spec.Kind switch
                {
                    SweepPointKind.Synchronous => SweepFakes.Result(100, 2),
                    SweepPointKind.Saturation => SweepFakes.Result(100, 12),
                    // The server keeps up to 6 req/s; above, completions spread out.
                    _ => SweepFakes.Result(100, spec.Plan.Rate!.Value, completionStretch: spec.Plan.Rate > 7 ? 2 : 1),
                });
            },
            records => RunSummary.Of(records),
            slo: null);

        // Rates between the two measured throughputs (about 2 and 12 req/s, a little above for the short tail).
        var expected = Plan.RatesBetween(result.Points[0].Summary.RequestThroughput.Value, result.Points[1].Summary.RequestThroughput.Value);
        ran.Count.ShouldBe(5);
        ran.Take(2).Select(s => s.Label).ShouldBe(["synchronous", "saturation c=32"]);
        ran.Skip(2).Select(s => s.Plan.Rate!.Value).ShouldBe(expected.Take(3));
        expected[2].ShouldBeGreaterThan(7);
        result.Points[^1].Saturation.OverSaturated.ShouldBeTrue();
        result.StoppedEarly!.ShouldStartWith($"stopped after {ran[4].Label}, over-saturated: completed");
        result.StoppedEarly.ShouldEndWith("; 1 higher rate(s) not run");
    }

    [Fact]
    public async Task The_best_point_is_the_cheapest_per_goodput_token_that_meets_the_slos()
    {
        var slo = SloSpec.Parse("ttft<=100ms");
        var cost = new CostInputs { Price = MoneyRate.FromDollarsPerHour(10) };
        var result = await SweepRunner.RunAsync(
            Plan with { Rates = 2 },
            (spec, _) => Task.FromResult(spec.Kind switch
            {
                SweepPointKind.Synchronous => SweepFakes.Result(100, 1, ttft: 0.02),
                // The fastest, but its TTFT breaks the SLO.
                SweepPointKind.Saturation => SweepFakes.Result(100, 10, ttft: 0.5),
                _ => SweepFakes.Result(100, spec.Plan.Rate!.Value, ttft: 0.05),
            }),
            records => RunSummary.Of(records, slo, cost),
            slo);

        // Rates near 4 and 7: both meet the SLO; the higher is the cheaper per token.
        result.Points.Count.ShouldBe(4);
        result.Best.Point.ShouldBeSameAs(result.Points[3]);
        result.Best.Why.ShouldStartWith("$");
        result.Best.Why.ShouldContain("per 1M goodput tokens, the lowest of 3 point(s) meeting the SLOs for at least 90 % of requests; left out: saturation c=32: SLO attainment 0 %");
    }
}
