using Tpd.Gateway.Config;
using Tpd.Gateway.Metering;

namespace Tpd.Gateway.Tests.Metering;

public sealed class DrainTrackerTests
{
    private static readonly DrainConfig Config = new()
    {
        Enabled = true,
        RelativeToMedian = 0.5,
        Window = TimeSpan.FromSeconds(5),
        Windows = 3,
        MinInFlight = 2,
        Hysteresis = 0.1,
        ReadmitProbes = 2,
        ProbeInterval = TimeSpan.FromSeconds(5),
        ProbeTokens = 16,
    };

    private static WorkerWindow W(string name, double tokensPerSecond, double inFlight = 8, double price = 2, double decode = 50, bool eligible = true) =>
        new(name, price, new WindowSample(5, tokensPerSecond, 0, inFlight, 10, 0), decode, eligible);

    [Fact]
    public void A_loaded_worker_below_half_the_median_is_drained_after_N_windows()
    {
        var t = new DrainTracker();
        for (var i = 0; i < 2; i++)
            t.OnWindow(Config, [W("a", 1000), W("b", 1000), W("slow", 300, decode: 15)]).ShouldBeEmpty();
        var d = t.OnWindow(Config, [W("a", 1000), W("b", 1000), W("slow", 300, decode: 15)]);

        d.Single().Worker.ShouldBe("slow");
        d.Single().Action.ShouldBe(DrainAction.Drain);
        // threshold 0.5 x 500 = 250 per $/hour, slow at 150: the probe must decode 15 x 250/150 x 1.1 = 27.5 tokens/s.
        t.RequiredProbeSpeed("slow")!.Value.ShouldBe(27.5, 1e-9);
    }

    [Fact]
    public void A_slow_window_in_between_good_ones_restarts_the_count()
    {
        var t = new DrainTracker();
        t.OnWindow(Config, [W("a", 1000), W("slow", 300)]);
        t.OnWindow(Config, [W("a", 1000), W("slow", 300)]);
        t.OnWindow(Config, [W("a", 1000), W("slow", 900)]);
        t.OnWindow(Config, [W("a", 1000), W("slow", 300)]).ShouldBeEmpty();
        t.SlowWindows("slow").ShouldBe(1);
    }

    [Fact]
    public void An_idle_worker_is_not_judged_it_is_demand_limited()
    {
        var t = new DrainTracker();
        for (var i = 0; i < 5; i++)
            t.OnWindow(Config, [W("a", 1000), W("idle", 10, inFlight: 0.5)]).ShouldBeEmpty();
    }

    [Fact]
    public void Price_counts_a_cheap_slow_worker_can_be_as_good_per_dollar()
    {
        var t = new DrainTracker();
        // Half the speed at a third of the price: 150 vs 200 per $/hour, above half the median.
        for (var i = 0; i < 5; i++)
            t.OnWindow(Config, [W("h100", 1000, price: 5), W("cheap", 500, price: 1.6667)]).ShouldBeEmpty();
    }

    [Fact]
    public void The_last_eligible_worker_is_never_drained()
    {
        var cfg = Config with { RelativeToMedian = null, MinTokensPerSecondPerDollar = 1000 };
        var t = new DrainTracker();
        for (var i = 0; i < 5; i++)
            t.OnWindow(cfg, [W("only", 100), W("ejected", 0, eligible: false)]).ShouldBeEmpty();
    }

    [Fact]
    public void Readmission_needs_consecutive_probes_above_threshold_plus_hysteresis()
    {
        var t = new DrainTracker();
        for (var i = 0; i < 3; i++)
            t.OnWindow(Config, [W("a", 1000), W("b", 1000), W("slow", 300, decode: 15)]);
        var need = t.RequiredProbeSpeed("slow")!.Value;

        t.OnProbe(Config, "slow", need * 0.99).ShouldBeNull(); // within the hysteresis band: stays out
        t.OnProbe(Config, "slow", need * 1.2).ShouldBeNull();  // one good probe
        t.OnProbe(Config, "slow", null).ShouldBeNull();        // failed probe restarts the count
        t.OnProbe(Config, "slow", need * 1.2).ShouldBeNull();
        var back = t.OnProbe(Config, "slow", need * 1.2);

        back!.Action.ShouldBe(DrainAction.Readmit);
        t.IsDrained("slow").ShouldBeFalse();
    }

    [Fact]
    public void Absolute_threshold_applies_without_peers()
    {
        var cfg = Config with { RelativeToMedian = null, MinTokensPerSecondPerDollar = 200, Windows = 1 };
        var t = new DrainTracker();
        t.OnWindow(cfg, [W("a", 300), W("b", 500)]).Single().Worker.ShouldBe("a"); // 150 < 200 per $/hour
    }
}
