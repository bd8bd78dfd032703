using Tpd.Simulation.Randomness;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class LengthDistributionTests
{
    private static int[] Draw(LengthDistribution d, int n = 20_000)
    {
        var rng = new SimRandom(17);
        return [.. Enumerable.Range(0, n).Select(_ => d.Sample(rng))];
    }

    [Fact]
    public void Uniform_covers_both_bounds_and_nothing_else()
    {
        var xs = Draw(LengthDistribution.Uniform(3, 7));

        xs.Min().ShouldBe(3);
        xs.Max().ShouldBe(7);
        xs.Average().ShouldBe(5, 0.05);
    }

    [Fact]
    public void Truncated_normal_stays_inside_its_bounds()
    {
        var xs = Draw(LengthDistribution.Normal(100, 50, min: 80, max: 150));

        xs.ShouldAllBe(x => x >= 80 && x <= 150);
    }

    [Fact]
    public void Lognormal_has_the_requested_median_and_cap()
    {
        var xs = Draw(LengthDistribution.LogNormal(200, 0.8, max: 1000));

        ((double)xs.Order().ElementAt(xs.Length / 2)).ShouldBe(200, 8);
        xs.Max().ShouldBe(1000);
        LengthDistribution.LogNormal(200, 0.8).Mean.ShouldBe(200 * Math.Exp(0.32), 1e-9);
    }

    [Fact]
    public void Empirical_pairs_keep_their_input_output_pairing()
    {
        var lengths = RequestLengths.Empirical([(10, 1000), (1000, 10)]);
        var rng = new SimRandom(1);

        var draws = Enumerable.Range(0, 200).Select(_ => lengths.Sample(rng)).ToList();

        draws.ShouldAllBe(p => (p.Input == 10 && p.Output == 1000) || (p.Input == 1000 && p.Output == 10));
        draws.Select(p => p.Input).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public void Token_counts_below_one_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => LengthDistribution.Fixed(0)).Message.ShouldStartWith("a token count must be at least 1, got 0.");
        Should.Throw<ArgumentOutOfRangeException>(() => LengthDistribution.Uniform(5, 2)).Message.ShouldStartWith("uniform length max (2) is below min (5).");
    }
}
