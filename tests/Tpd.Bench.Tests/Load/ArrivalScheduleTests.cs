using Tpd.Bench.Load;

namespace Tpd.Bench.Tests.Load;

public class ArrivalScheduleTests
{
    private static double[] Gaps(ArrivalProcess p, double rate, int seed, int n, double cv = 1)
    {
        var times = ArrivalSchedule.SendTimes(p, rate, seed, cv).Take(n + 1).ToArray();
        return [.. times.Zip(times.Skip(1), (a, b) => b - a)];
    }

    private static (double Mean, double Cv) Moments(double[] xs)
    {
        var mean = xs.Average();
        var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / xs.Length);
        return (mean, sd / mean);
    }

    [Fact]
    public void SendTimes_are_the_same_for_the_same_seed_and_differ_for_another()
    {
        var a = ArrivalSchedule.SendTimes(ArrivalProcess.Poisson, 10, 42).Take(100).ToArray();
        ArrivalSchedule.SendTimes(ArrivalProcess.Poisson, 10, 42).Take(100).ToArray().ShouldBe(a);
        ArrivalSchedule.SendTimes(ArrivalProcess.Poisson, 10, 43).Take(100).ToArray().ShouldNotBe(a);
    }

    [Fact]
    public void SendTimes_start_at_zero_and_constant_ones_are_exact_multiples()
    {
        ArrivalSchedule.SendTimes(ArrivalProcess.Constant, 4, 1).Take(5).ToArray().ShouldBe([0, 0.25, 0.5, 0.75, 1.0]);
        ArrivalSchedule.SendTimes(ArrivalProcess.Poisson, 4, 1).First().ShouldBe(0);
    }

    [Fact]
    public void Poisson_gaps_have_mean_one_over_rate_and_cv_one()
    {
        var (mean, cv) = Moments(Gaps(ArrivalProcess.Poisson, 20, 7, 40_000));
        mean.ShouldBe(0.05, 0.05 * 0.02);
        cv.ShouldBe(1, 0.03);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void Gamma_gaps_have_mean_one_over_rate_and_the_requested_cv(double cv)
    {
        var (mean, actual) = Moments(Gaps(ArrivalProcess.Gamma, 10, 11, 60_000, cv));
        mean.ShouldBe(0.1, 0.1 * 0.05);
        actual.ShouldBe(cv, cv * 0.06);
    }

    [Fact]
    public void SendTimes_reject_a_bad_rate_or_cv_with_the_value()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ArrivalSchedule.SendTimes(ArrivalProcess.Poisson, 0, 1)).Message.ShouldContain("positive number of requests per second, got 0");
        Should.Throw<ArgumentOutOfRangeException>(() => ArrivalSchedule.SendTimes(ArrivalProcess.Gamma, 1, 1, -1)).Message.ShouldContain("must be positive, got -1");
    }
}
