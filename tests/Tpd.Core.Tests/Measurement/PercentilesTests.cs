using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Measurement;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Measurement;

/// <summary>
/// Expected values were computed with NumPy 1.24.2 (Debian python3-numpy) by
/// np.percentile(a, p), np.mean(a), np.std(a) and printed with repr(); they are pinned bit for bit.
/// </summary>
public class PercentilesTests
{
    private static readonly double[] Small = [0.12, 0.5, 0.31, 0.9, 0.77, 0.05, 1.3, 0.44, 0.61, 0.2, 2.5];
    private static readonly double[] Ps = [0, 10, 25, 50, 90, 95, 99, 99.9, 100];

    // a = [((i*7919) % 1000)/997.0 + i*1e-3 for i in range(300)]: more than 128 values, so NumPy's pairwise sum splits.
    private static double[] Big() => [.. Enumerable.Range(0, 300).Select(i => (((i * 7919) % 1000) / 997.0) + (i * 1e-3))];

    private static double[] Sorted(double[] xs)
    {
        var copy = (double[])xs.Clone();
        Array.Sort(copy);
        return copy;
    }

    [Fact]
    public void Linear_matches_numpy_percentile_on_eleven_values()
    {
        double[] expected = [0.05, 0.12, 0.255, 0.5, 1.3, 1.9, 2.3800000000000003, 2.488000000000002, 2.5];
        var sorted = Sorted(Small);
        Ps.Select(p => Percentiles.Linear(sorted, p)).ToArray().ShouldBe(expected);
    }

    [Fact]
    public void Linear_matches_numpy_percentile_on_three_hundred_values()
    {
        double[] expected =
        [
            0.0, 0.24042276830491474, 0.4007484954864594, 0.6416865596790371, 1.0468835506519567,
            1.1228894182547642, 1.242838264794383, 1.2710342918756277, 1.2829969909729186,
        ];
        var sorted = Sorted(Big());
        Ps.Select(p => Percentiles.Linear(sorted, p)).ToArray().ShouldBe(expected);
    }

    [Fact]
    public void Linear_interpolates_between_two_values_as_numpy()
    {
        double[] two = [1.0, 2.0];
        new[] { 25.0, 50, 75, 90 }.Select(p => Percentiles.Linear(two, p)).ToArray().ShouldBe([1.25, 1.5, 1.75, 1.9]);
    }

    [Fact]
    public void Mean_and_population_std_match_numpy()
    {
        Percentiles.Mean(Small).ShouldBe(0.7000000000000001);
        Percentiles.PopulationStd(Small).ShouldBe(0.6688932514371645);
        Percentiles.Mean(Big()).ShouldBe(0.6515060180541625);
        Percentiles.PopulationStd(Big()).ShouldBe(0.30508505011017967);
    }

    [Fact]
    public void Linear_rejects_empty_samples_and_out_of_range_percentiles()
    {
        Should.Throw<ArgumentException>(() => Percentiles.Linear([], 50)).Message.ShouldContain("no samples");
        Should.Throw<ArgumentOutOfRangeException>(() => Percentiles.Linear([1.0], 101)).Message.ShouldContain("between 0 and 100, got 101");
    }

    [Fact]
    public void Linear_is_monotone_in_the_percentile_and_stays_within_min_and_max()
    {
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 100_000).Select(i => i / 1000.0)).Where(l => l.Count > 0).ToArbitrary(),
            Gen.Choose(0, 1000).Select(i => i / 10.0).ToArbitrary(),
            Gen.Choose(0, 1000).Select(i => i / 10.0).ToArbitrary(),
            (List<double> xs, double p1, double p2) =>
            {
                var sorted = Sorted([.. xs]);
                var (lo, hi) = p1 <= p2 ? (p1, p2) : (p2, p1);
                var a = Percentiles.Linear(sorted, lo);
                var b = Percentiles.Linear(sorted, hi);
                return a <= b && a >= sorted[0] && b <= sorted[^1];
            }).Check(PropertyConfig.Default);
    }
}
