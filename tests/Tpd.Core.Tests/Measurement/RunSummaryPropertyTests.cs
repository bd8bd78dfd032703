using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Measurement;

public class RunSummaryPropertyTests
{
    private static readonly Gen<RequestRecord[]> Runs =
        from n in Gen.Choose(1, 30)
        from reqs in Gen.ArrayOf(
            from send in Gen.Choose(0, 10_000)
            from ttft in Gen.Choose(1, 3_000)
            from nOut in Gen.Choose(1, 200)
            from tpot in Gen.Choose(1, 100)
            from errored in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
            select Record(send / 1000.0, ttft / 1000.0, nOut, tpot / 1000.0, errored), n)
        select reqs.Select((r, i) => r with { Id = i }).ToArray();

    private static RequestRecord Record(double send, double ttft, int nOut, double tpot, bool errored)
    {
        var first = send + ttft;
        var last = first + ((nOut - 1) * tpot);
        return new RequestRecord
        {
            Id = 0,
            Outcome = errored ? RequestOutcome.Error : RequestOutcome.Ok,
            ErrorClass = errored ? "http_500" : null,
            ScheduledSeconds = send,
            SendSeconds = send,
            FirstTokenSeconds = errored ? null : first,
            LastTokenSeconds = errored ? null : last,
            EndSeconds = errored ? send + 0.01 : last + 0.001,
            InputTokens = 10,
            OutputTokens = errored ? 0 : nOut,
            InterTokenGaps = errored ? [] : [.. Enumerable.Repeat(tpot, nOut - 1)],
        };
    }

    private static readonly SloSpec Slo = new() { Ttft = Duration.FromSeconds(1.5), Tpot = Duration.FromMilliseconds(50) };

    [Fact]
    public void Of_keeps_statistics_ordered_and_goodput_within_throughput()
    {
        Prop.ForAll(Runs.ToArbitrary(), records =>
        {
            var s = RunSummary.Of(records, Slo);
            var ok = true;
            foreach (var stats in new[] { s.Ttft, s.Tpot, s.Itl, s.E2e, s.Ntpot }.OfType<LatencyStats>())
            {
                ok &= stats.Min <= stats.P50 && stats.P50 <= stats.P90 && stats.P90 <= stats.P95 && stats.P95 <= stats.P99 && stats.P99 <= stats.Max;
                ok &= stats.Min <= stats.Mean + 1e-12 && stats.Mean <= stats.Max + 1e-12 && stats.Std >= 0;
            }

            if (s.Tpot is { } tpot)
                ok &= s.TpotTokenWeighted!.Value.Value.Seconds >= tpot.Min - 1e-12 && s.TpotTokenWeighted.Value.Value.Seconds <= tpot.Max + 1e-12;
            if (s.E2e is { } e2e)
                ok &= e2e.Max <= s.Duration.Value.Seconds + 1e-12;
            var slo = s.Slo!;
            ok &= slo.Goodput.Value <= s.RequestThroughput.Value + 1e-12;
            ok &= slo.GoodputTokens.Value.TokensPerSecond <= s.OutputTokenThroughput.Value.TokensPerSecond + 1e-9;
            ok &= slo.Attainment.Value is >= 0 and <= 1;
            ok &= s.Ok + s.Incomplete + s.Errors == s.Requests;
            return ok;
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Of_a_run_of_only_errors_has_counts_but_no_latency_or_cost()
    {
        var errors = Enumerable.Range(0, 3).Select(i => Record(i, 0.1, 1, 0.01, errored: true) with { Id = i }).ToList();
        var s = RunSummary.Of(errors, Slo, new CostInputs { Price = MoneyRate.FromDollarsPerHour(2), Power = Power.FromWatts(700) });
        (s.Ok, s.Errors).ShouldBe((0, 3));
        s.ErrorRate.Value.ShouldBe(1);
        s.ByErrorClass["http_500"].ShouldBe(3);
        s.Duration.Value.Seconds.ShouldBe(2.01, 1e-12);
        s.Ttft.ShouldBeNull();
        s.TpotMeanPerRequest.ShouldBeNull();
        s.OutputTokenThroughput.Value.TokensPerSecond.ShouldBe(0);
        s.PeakOutputTokenRate.Value.TokensPerSecond.ShouldBe(0);
        s.Slo!.Attainment.Value.ShouldBe(0);
        s.Cost!.PerMillionOutputTokens.ShouldBeNull();
        s.Cost.EnergyPerOutputToken.ShouldBeNull();
    }

    [Fact]
    public void Of_judges_a_percentile_slo_on_a_metric_without_samples_as_not_met()
    {
        var r = Record(0, 0.1, 3, 0.01, errored: false) with { FirstContentSeconds = null };
        var s = RunSummary.Of([r], new SloSpec { Percentiles = [PercentileSlo.Parse("p90 ttfot <= 1s")] });
        s.Ttfot.ShouldBeNull();
        var result = s.Slo!.PercentileResults.ShouldHaveSingleItem();
        result.ActualSeconds.ShouldBeNull();
        result.Met.ShouldBeFalse();
        s.Slo.AllPercentilesMet.ShouldBeFalse();
    }
}
