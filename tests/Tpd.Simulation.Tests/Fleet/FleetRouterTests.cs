using Tpd.Simulation.Fleet;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Fleet;

public class FleetRouterTests
{
    [Fact]
    public void Round_robin_gives_every_replica_the_same_count()
    {
        var rows = Enumerable.Range(0, 400).Select(i => (i * 0.01, 100 + (i % 7 * 50), 20)).ToArray();
        var (_, records) = Sim.Run(Sim.Trace(rows), 10, replicas: 4, routing: RoutingPolicy.RoundRobin);

        records.GroupBy(r => r.Replica).Select(g => g.Count()).ShouldBe([100, 100, 100, 100], ignoreOrder: true);
    }

    [Fact]
    public void Round_robin_is_blind_to_load_where_least_outstanding_is_not()
    {
        // Long and short requests alternate: round robin sends every long one to replica 0.
        var rows = Enumerable.Range(0, 40).Select(i => (i * 0.05, 100, i % 2 == 0 ? 2000 : 5)).ToArray();
        var (_, rr) = Sim.Run(Sim.Trace(rows), 10, replicas: 2, routing: RoutingPolicy.RoundRobin);
        var (_, lo) = Sim.Run(Sim.Trace(rows), 10, replicas: 2, routing: RoutingPolicy.LeastOutstanding);

        rr.Where(r => r.OutputTokens == 2000).ShouldAllBe(r => r.Replica == 0);
        lo.Where(r => r.OutputTokens == 2000).Select(r => r.Replica).Distinct().Count().ShouldBe(2);
        lo.Max(r => r.E2eSeconds!.Value).ShouldBeLessThan(rr.Max(r => r.E2eSeconds!.Value));
    }

    [Fact]
    public void Least_kv_usage_avoids_the_replica_holding_blocks()
    {
        var (_, records) = Sim.Run(Sim.Trace((0.0, 4000, 500), (0.5, 100, 10), (0.6, 100, 10)), 30, replicas: 2, routing: RoutingPolicy.LeastKvUsage);

        var byInput = records.OrderBy(r => r.SendSeconds).ToList();
        byInput[0].Replica.ShouldBe(0);
        byInput[1].Replica.ShouldBe(1);
        byInput[2].Replica.ShouldBe(1, "replica 1 holds far fewer blocks than replica 0 even with one request running");
    }

    [Fact]
    public void Session_affinity_keeps_a_session_on_one_replica_and_spreads_sessions()
    {
        var workload = new ChatSessionWorkload(WorkloadPreset.ChatOptions(1) with { MeanThinkSeconds = 3, Turns = LengthDistribution.Fixed(4) });
        var (_, records) = Sim.Run(workload, 60, replicas: 4, routing: RoutingPolicy.SessionAffinity);

        foreach (var session in records.GroupBy(r => r.SessionId))
            session.Select(r => r.Replica).Distinct().Count().ShouldBe(1);
        records.Select(r => r.Replica).Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public void Session_affinity_finds_more_cached_prefix_than_round_robin()
    {
        ChatSessionWorkload Make() => new(WorkloadPreset.ChatOptions(2) with { MeanThinkSeconds = 3, Turns = LengthDistribution.Fixed(5), SystemPromptTokens = 0 });
        var (affinity, _) = Sim.Run(Make(), 60, replicas: 4, routing: RoutingPolicy.SessionAffinity);
        var (roundRobin, _) = Sim.Run(Make(), 60, replicas: 4, routing: RoutingPolicy.RoundRobin);

        affinity.PrefixCacheHitRate.ShouldBeGreaterThan(roundRobin.PrefixCacheHitRate + 0.2);
    }

    [Fact]
    public void Session_affinity_falls_back_to_least_outstanding_when_the_home_replica_is_saturated()
    {
        var trace = Sim.SessionTrace((0.0, 100, 50, "s"), (0.0, 100, 50, "s"), (0.0, 100, 50, "s"));
        var (_, records) = Sim.Run(trace, 10, replicas: 3, routing: RoutingPolicy.SessionAffinity, affinitySaturation: 1);

        records.Select(r => r.Replica).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public void Requests_without_a_session_go_to_the_least_loaded_replica_under_affinity()
    {
        var rows = Enumerable.Range(0, 30).Select(i => (0.0, 100, 50)).ToArray();
        var (_, records) = Sim.Run(Sim.Trace(rows), 10, replicas: 3, routing: RoutingPolicy.SessionAffinity);

        records.GroupBy(r => r.Replica).Select(g => g.Count()).ShouldBe([10, 10, 10], ignoreOrder: true);
    }
}
