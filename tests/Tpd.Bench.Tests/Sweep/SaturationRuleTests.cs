using Tpd.Bench.Load;
using Tpd.Bench.Sweep;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Sweep;

public class SaturationRuleTests
{
    private static SaturationVerdict Judge(LoadPlan plan, LoadResult r) => SaturationRule.Judge(plan, r, RunSummary.Of(r.Records));

    [Fact]
    public void A_point_that_keeps_pace_is_not_over_saturated()
    {
        var v = Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(100, 10));
        v.OverSaturated.ShouldBeFalse();
        v.Reason.ShouldBeNull();
    }

    [Fact]
    public void Completions_well_below_the_scheduled_rate_over_saturate()
    {
        // Completions spread over 1.5 x the send span: 67 % of the asked rate, below the 85 % line.
        var v = Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(100, 10, completionStretch: 1.5));
        v.OverSaturated.ShouldBeTrue();
        v.Reason!.ShouldStartWith("completed 6.");
        v.Reason.ShouldContain("where the schedule asked 10 (below 85 %; target 10)");
    }

    [Fact]
    public void Late_sends_under_a_cap_over_saturate_and_say_the_slots_were_busy()
    {
        var v = Judge(SweepFakes.OpenPlan(10, cap: 4), SweepFakes.Result(100, 10, lateness: 0.2));
        v.OverSaturated.ShouldBeTrue();
        v.Reason!.ShouldContain("100 % of requests were sent late (p99 200 ms): all 4 slots busy");
    }

    [Fact]
    public void Late_sends_without_a_cap_stop_the_sweep_as_client_bound()
    {
        var v = Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(100, 10, lateness: 0.2));
        v.OverSaturated.ShouldBeTrue();
        v.ClientBound.ShouldBeTrue();
        v.Reason!.ShouldContain(": the client fell behind");
        Judge(SweepFakes.OpenPlan(10, cap: 4), SweepFakes.Result(100, 10, lateness: 0.2)).ClientBound.ShouldBeFalse();
    }

    [Fact]
    public void A_growing_ttft_over_saturates_only_past_twice_and_fifty_ms()
    {
        // TTFT from 50 ms to 50 + 99 x 3 ms: the last quarter's median is several times the first's.
        var growing = Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(100, 10, ttftGrowth: 0.003));
        growing.OverSaturated.ShouldBeTrue();
        growing.Reason!.ShouldContain("median TTFT grew from");
        growing.Reason!.ShouldContain("a queue is building");

        // From 1 ms to about 3 ms: more than double, but under 50 ms longer: noise, not a queue.
        var tiny = Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(100, 10, ttft: 0.001, ttftGrowth: 0.00003));
        tiny.OverSaturated.ShouldBeFalse();
    }

    [Fact]
    public void Too_few_requests_never_judge_ttft_growth()
    {
        // 28 requests: 7 per quarter, under the 8 needed.
        Judge(SweepFakes.OpenPlan(10), SweepFakes.Result(28, 10, ttftGrowth: 0.05)).Reason?.ShouldNotContain("median TTFT");
    }

    [Fact]
    public void Closed_loop_points_are_never_over_saturated()
    {
        var r = SweepFakes.Result(100, 10, completionStretch: 3, lateness: 1);
        Judge(new LoadPlan { Concurrency = 64, MaxRequests = 100 }, r).ShouldBe(SaturationVerdict.Fine);
    }
}
