using Tpd.Bench.Load;
using Tpd.Bench.Sweep;
using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Bench.Tests.Sweep;

public class OperatingPointRuleTests
{
    private static SweepPoint Point(string label, LoadResult r, SloSpec? slo = null, CostInputs? cost = null, bool saturated = false) =>
        new(new SweepPointSpec(0, label, SweepPointKind.Rate, SweepFakes.OpenPlan(1)), r, RunSummary.Of(r.Records, slo, cost), saturated ? new SaturationVerdict(true, "x") : SaturationVerdict.Fine);

    [Fact]
    public void Without_slos_or_price_the_highest_output_throughput_wins_and_over_saturated_points_are_left_out()
    {
        var choice = OperatingPointRule.Choose([Point("a", SweepFakes.Result(50, 2)), Point("b", SweepFakes.Result(50, 4)), Point("c", SweepFakes.Result(50, 8), saturated: true)], null);
        choice.Point!.Label.ShouldBe("b");
        choice.Why.ShouldEndWith("output tokens/s, the highest of 2 point(s) that were not over-saturated; left out: c: over-saturated");
    }

    [Fact]
    public void With_slos_and_no_price_the_highest_goodput_wins()
    {
        var slo = SloSpec.Parse("ttft<=100ms");
        var choice = OperatingPointRule.Choose([Point("a", SweepFakes.Result(50, 2), slo), Point("b", SweepFakes.Result(50, 4), slo)], slo);
        choice.Point!.Label.ShouldBe("b");
        choice.Why.ShouldStartWith("goodput 4");
    }

    [Fact]
    public void A_missed_percentile_objective_disqualifies_a_point()
    {
        var slo = SloSpec.Parse("p90 ttft<=100ms");
        var choice = OperatingPointRule.Choose([Point("slow", SweepFakes.Result(50, 2, ttft: 0.3), slo)], slo);
        choice.Point.ShouldBeNull();
        choice.Why.ShouldBe("no point qualified: slow: missed p90 TTFT <= 0.1 s");
    }

    [Fact]
    public void With_a_price_and_no_slo_the_cheapest_per_output_token_wins()
    {
        var cost = new CostInputs { Price = MoneyRate.FromDollarsPerHour(3.6) };
        var choice = OperatingPointRule.Choose([Point("a", SweepFakes.Result(50, 2), cost: cost), Point("b", SweepFakes.Result(50, 5), cost: cost)], null);
        choice.Point!.Label.ShouldBe("b");
        choice.Why.ShouldContain("per 1M output tokens, the lowest of 2");
    }
}
