using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Core.Tests.Measurement;

public class SloSpecTests
{
    [Theory]
    [InlineData("p90 ttft <= 2s", LatencyMetric.Ttft, 90, 2.0)]
    [InlineData("P99 TPOT<=50ms", LatencyMetric.Tpot, 99, 0.05)]
    [InlineData(" p99.9 e2e <= 1.5 s ", LatencyMetric.E2e, 99.9, 1.5)]
    [InlineData("p50 itl <= 20 ms", LatencyMetric.Itl, 50, 0.02)]
    public void Parse_reads_percentile_metric_and_limit(string text, LatencyMetric metric, double p, double seconds)
    {
        var slo = PercentileSlo.Parse(text);
        slo.Metric.ShouldBe(metric);
        slo.Percentile.ShouldBe(p);
        slo.Limit.Seconds.ShouldBe(seconds, 1e-12);
    }

    [Fact]
    public void Parse_quotes_the_bad_text_and_the_expected_form()
    {
        Should.Throw<FormatException>(() => PercentileSlo.Parse("ttft < 2")).Message
            .ShouldBe("cannot read the SLO 'ttft < 2'; write it as 'p90 ttft <= 2s' (percentile, metric ttft|ttfot|tpot|itl|e2e|ntpot, <=, a time in s or ms)");
        Should.Throw<FormatException>(() => PercentileSlo.Parse("p150 ttft <= 2s")).Message.ShouldContain("out of range; use 0 to 100");
    }

    [Fact]
    public void ToString_round_trips_through_Parse()
    {
        var slo = new PercentileSlo(LatencyMetric.Ttft, 90, Duration.FromSeconds(2));
        slo.ToString().ShouldBe("p90 TTFT <= 2 s");
        PercentileSlo.Parse(slo.ToString()).ShouldBe(slo);
    }

    [Fact]
    public void IsGood_requires_ok_outcome_and_every_limit()
    {
        var spec = new SloSpec { Ttft = Duration.FromSeconds(1), E2e = Duration.FromSeconds(5) };
        var r = new RequestRecord
        {
            Id = 1,
            Outcome = RequestOutcome.Ok,
            ScheduledSeconds = 0,
            SendSeconds = 0,
            FirstTokenSeconds = 0.5,
            LastTokenSeconds = 4,
            InputTokens = 1,
            OutputTokens = 4,
        };
        spec.IsGood(r).ShouldBeTrue();
        spec.IsGood(r with { LastTokenSeconds = 6 }).ShouldBeFalse();
        spec.IsGood(r with { Outcome = RequestOutcome.Incomplete }).ShouldBeFalse();
    }
}

public class SloSpecParseTests
{
    [Fact]
    public void Parse_reads_per_request_limits_and_percentile_objectives()
    {
        var spec = SloSpec.Parse("ttft<=2s, tpot <= 50ms,e2e<=30 s, p90 ttft<=1.5s");
        spec.Ttft.ShouldBe(Duration.FromSeconds(2));
        spec.Tpot!.Value.Seconds.ShouldBe(0.05, 1e-12);
        spec.E2e.ShouldBe(Duration.FromSeconds(30));
        spec.Percentiles.ShouldHaveSingleItem().ShouldBe(new PercentileSlo(LatencyMetric.Ttft, 90, Duration.FromSeconds(1.5)));
    }

    [Fact]
    public void Parse_reports_every_bad_item_with_the_expected_form()
    {
        Should.Throw<FormatException>(() => SloSpec.Parse("ttft<2s, tpot<=5ms, itl<=1s")).Message.ShouldBe(
            "cannot read the SLO item(s) 'ttft<2s', 'itl<=1s'; write per-request limits as 'ttft<=2s', 'tpot<=50ms', 'e2e<=30s' and percentile objectives as 'p90 ttft<=2s', separated by commas");
    }
}
