using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class DiurnalCurveTests
{
    [Fact]
    public void Multipliers_are_rescaled_to_mean_one()
    {
        var curve = new DiurnalCurve([1, 3]);

        curve.Multipliers.ShouldBe([0.5, 1.5]);
        curve.PeakToAverage.ShouldBe(1.5);
    }

    [Fact]
    public void Advance_on_a_flat_curve_adds_the_demand_time()
    {
        DiurnalCurve.Flat.Advance(100, 2.5).ShouldBe(102.5);
    }

    [Fact]
    public void Advance_integrates_the_multiplier_across_segments()
    {
        // Night at 0.5 for 12 h, day at 1.5 for 12 h: 6 h of demand time from 9:00 covers 3 h of night (1.5 h of
        // demand), then 3 h of day (4.5 h of demand), ending at 15:00.
        var curve = new DiurnalCurve([1, 3]);

        curve.Advance(9 * 3600, 6 * 3600).ShouldBe(15 * 3600, 1e-6);
    }

    [Fact]
    public void Cosine_day_peaks_at_the_given_hour_with_the_given_ratio()
    {
        var curve = DiurnalCurve.Cosine(1.6, peakHour: 14);

        curve.Multipliers.Average().ShouldBe(1, 1e-9);
        curve.At(14 * 3600).ShouldBe(1.6, 0.01);
        curve.At(2 * 3600).ShouldBe(0.4, 0.01);
    }

    [Fact]
    public void Arrivals_follow_the_curve()
    {
        var curve = DiurnalCurve.Cosine(1.8, peakHour: 12);
        var rng = new Randomness.SimRandom(5);
        var poisson = ArrivalProcess.Poisson(1);
        var perHour = new int[24];
        var t = 0.0;
        while (true)
        {
            t = curve.Advance(t, poisson.NextGap(rng));
            if (t >= 86_400)
                break;
            perHour[(int)(t / 3600)]++;
        }

        ((double)perHour[12]).ShouldBe(1.8 * 3600, 0.1 * 1.8 * 3600);
        ((double)perHour[0]).ShouldBe(0.2 * 3600, 0.25 * 0.2 * 3600);
        ((double)perHour.Sum()).ShouldBe(86_400, 0.02 * 86_400);
    }

    [Fact]
    public void Non_positive_multipliers_are_refused_with_the_fix()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new DiurnalCurve([1, 0])).Message
            .ShouldStartWith("diurnal multiplier 1 is 0; every multiplier must be positive (use a small value such as 0.05 for a quiet hour).");
    }
}
