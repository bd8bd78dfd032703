using FsCheck;
using FsCheck.Fluent;
using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Prometheus;

public class HistogramTotalsTests
{
    [Fact]
    public void Quantile_interpolates_inside_the_bucket_like_histogram_quantile()
    {
        var h = PrometheusTextParser.Parse(Fixtures.Read("metrics/datadog_tgi_payload_excerpt.txt"))
            .Histogram("tgi_request_inference_duration").ShouldNotBeNull();
        // Median rank 54.5 of 109 falls in (1.122274146401882, 1.683411219602823], cumulative 2 -> 83.
        const double lo = 1.122274146401882, hi = 1.683411219602823;
        h.Quantile(0.5)!.Value.ShouldBe(lo + ((hi - lo) * (54.5 - 2) / (83 - 2)), 1e-12);
    }

    [Fact]
    public void Quantile_in_the_inf_bucket_returns_the_highest_finite_bound()
    {
        var h = new HistogramTotals(10, 4, [new(1, 1), new(2, 2), new(double.PositiveInfinity, 4)]);
        h.Quantile(0.99).ShouldBe(2);
    }

    [Fact]
    public void Quantile_without_observations_is_null_and_out_of_range_is_rejected()
    {
        new HistogramTotals(0, 0, [new(1, 0), new(double.PositiveInfinity, 0)]).Quantile(0.5).ShouldBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => new HistogramTotals(1, 1, []).Quantile(1.5)).Message.ShouldContain("1.5");
    }

    [Fact]
    public void Minus_subtracts_sum_count_and_each_bucket()
    {
        var before = new HistogramTotals(10, 4, [new(0.1, 1), new(1, 3), new(double.PositiveInfinity, 4)]);
        var after = new HistogramTotals(16, 10, [new(0.1, 2), new(1, 8), new(double.PositiveInfinity, 10)]);
        var d = after.Minus(before);
        d.Sum.ShouldBe(6);
        d.Count.ShouldBe(6);
        d.Buckets.Select(b => b.CumulativeCount).ShouldBe([1.0, 5.0, 6.0]);
        d.Mean.ShouldBe(1.0);
    }

    [Fact]
    public void Minus_after_a_restart_takes_the_later_totals()
    {
        var before = new HistogramTotals(100, 40, []);
        var after = new HistogramTotals(3, 2, []);
        after.Minus(before).ShouldBe(after);
    }

    [Fact]
    public void Quantile_is_monotone_in_q_and_within_the_finite_bounds() =>
        Prop.ForAll(
            Gen.Choose(0, 50).ArrayOf(5).ToArbitrary(),
            Gen.Choose(0, 100).Two().ToArbitrary(),
            (counts, qs) =>
            {
                var cumulative = 0.0;
                double[] bounds = [0.01, 0.1, 1, 10, double.PositiveInfinity];
                var buckets = counts.Select((c, i) => new HistogramBucket(bounds[i], cumulative += c)).ToList();
                var h = new HistogramTotals(1, cumulative, buckets);
                var (a, b) = (Math.Min(qs.Item1, qs.Item2) / 100.0, Math.Max(qs.Item1, qs.Item2) / 100.0);
                if (cumulative == 0)
                    return h.Quantile(a) is null;
                var qa = h.Quantile(a)!.Value;
                var qb = h.Quantile(b)!.Value;
                return qa <= qb + 1e-12 && qa >= 0 && qb <= 10;
            }).Check(PropertyConfig.Default);
}
