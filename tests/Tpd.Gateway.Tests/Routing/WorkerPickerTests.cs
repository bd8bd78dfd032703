using Tpd.Core.Units;
using Tpd.Gateway.Config;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Tests.Routing;

public sealed class WorkerPickerTests
{
    private static WorkerState Worker(string name, double weight = 1, int maxInFlight = 100) => new(new WorkerConfig
    {
        Name = name,
        Url = new Uri("http://127.0.0.1:1"),
        Price = MoneyRate.FromDollarsPerHour(2),
        Labels = new Dictionary<string, string>(),
        Weight = weight,
        MaxInFlight = maxInFlight,
    });

    private static readonly RouteKey NoKey = new(100, 0, false);

    [Fact]
    public void Least_requests_picks_the_least_loaded_per_weight()
    {
        var a = Worker("a");
        var b = Worker("b", weight: 4);
        for (var i = 0; i < 3; i++)
            a.TryEnter(1);
        for (var i = 0; i < 8; i++)
            b.TryEnter(1);

        // a: 3 / 1 = 3, b: 8 / 4 = 2.
        new WorkerPicker().Pick(BalancePolicy.LeastRequests, [a, b], NoKey, 0).ShouldBe(b);
    }

    [Fact]
    public void Pick_skips_full_drained_ejected_and_tried_workers()
    {
        var full = Worker("full", maxInFlight: 1);
        full.TryEnter(1).ShouldBeTrue();
        full.TryEnter(1).ShouldBeFalse();
        var drained = Worker("drained");
        drained.SetBlock(WorkerBlock.ManualDrained, true);
        var ejected = Worker("ejected");
        ejected.SetBlock(WorkerBlock.Ejected, true);
        var tried = Worker("tried");
        var ok = Worker("ok");
        var workers = new[] { full, drained, ejected, tried, ok };

        foreach (var policy in Enum.GetValues<BalancePolicy>())
            new WorkerPicker().Pick(policy, workers, new RouteKey(1, 42, true), triedMask: 1UL << 3).ShouldBe(ok);
        new WorkerPicker().Pick(BalancePolicy.LeastRequests, workers, NoKey, (1UL << 3) | (1UL << 4)).ShouldBeNull();
    }

    [Fact]
    public void Rendezvous_moves_only_the_keys_of_a_removed_worker()
    {
        var workers = Enumerable.Range(0, 5).Select(i => Worker($"w{i}")).ToArray();
        var router = new WorkerPicker();
        var before = Enumerable.Range(0, 500).ToDictionary(k => k, k => router.Pick(BalancePolicy.Affinity, workers, new RouteKey(1, Stable.Mix((ulong)k), true), 0)!.Name);
        workers[2].SetBlock(WorkerBlock.AutoDrained, true);
        var after = Enumerable.Range(0, 500).ToDictionary(k => k, k => router.Pick(BalancePolicy.Affinity, workers, new RouteKey(1, Stable.Mix((ulong)k), true), 0)!.Name);

        before.Values.Distinct().Count().ShouldBe(5);
        foreach (var k in before.Keys)
        {
            if (before[k] != "w2")
                after[k].ShouldBe(before[k]);
            else
                after[k].ShouldNotBe("w2");
        }
    }

    [Fact]
    public void Rendezvous_share_follows_weight()
    {
        var workers = new[] { Worker("a", weight: 3), Worker("b", weight: 1) };
        var router = new WorkerPicker();
        var toA = Enumerable.Range(0, 4000).Count(k => router.Pick(BalancePolicy.Affinity, workers, new RouteKey(1, Stable.Mix((ulong)k), true), 0)!.Name == "a");
        ((double)toA / 4000).ShouldBeInRange(0.70, 0.80);
    }
}
