using Tpd.Simulation.Randomness;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class ArrivalProcessTests
{
    private static double[] Gaps(ArrivalProcess p, int n = 40_000)
    {
        var rng = new SimRandom(99);
        return [.. Enumerable.Range(0, n).Select(_ => p.NextGap(rng))];
    }

    private static double Cv(double[] xs)
    {
        var mean = xs.Average();
        return Math.Sqrt(xs.Average(x => (x - mean) * (x - mean))) / mean;
    }

    [Fact]
    public void Poisson_gaps_have_mean_one_over_rate_and_cv_one()
    {
        var gaps = Gaps(ArrivalProcess.Poisson(20));

        gaps.Average().ShouldBe(0.05, 0.0015);
        Cv(gaps).ShouldBe(1, 0.03);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void Gamma_gaps_have_the_requested_burstiness(double cv)
    {
        var gaps = Gaps(ArrivalProcess.Gamma(10, cv));

        gaps.Average().ShouldBe(0.1, 0.1 * 0.05);
        Cv(gaps).ShouldBe(cv, cv * 0.06);
    }

    [Fact]
    public void Constant_gaps_are_exact()
    {
        Gaps(ArrivalProcess.Constant(4), 10).ShouldAllBe(g => g == 0.25);
    }

    [Fact]
    public void A_non_positive_rate_is_refused_with_the_value()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ArrivalProcess.Poisson(0)).Message
            .ShouldStartWith("arrival rate must be a positive number of requests per second, got 0.");
        Should.Throw<ArgumentOutOfRangeException>(() => ArrivalProcess.Gamma(1, -1)).Message
            .ShouldStartWith("burstiness (coefficient of variation of gaps) must be positive, got -1; 1 is Poisson.");
    }
}
