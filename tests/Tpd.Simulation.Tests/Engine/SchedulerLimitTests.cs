using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Units;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;
using Tpd.TestKit;

namespace Tpd.Simulation.Tests.Engine;

public class SchedulerLimitTests
{
    [Fact]
    public void No_step_exceeds_the_token_budget_or_max_num_seqs()
    {
        var cost = new RecordingCost(Sim.DefaultCost());
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(30), RequestLengths.Independent(LengthDistribution.LogNormal(400, 1), LengthDistribution.LogNormal(100, 1, 800)));
        Sim.Run(workload, 20, engine: Sim.Engine(maxSeqs: 32, budget: 256), cost: cost);

        cost.Shapes.Count.ShouldBeGreaterThan(100);
        cost.Shapes.ShouldAllBe(s => s.TotalTokens <= 256 && s.DecodeSequences + s.PrefillSequences <= 32 && s.TotalTokens > 0);
        cost.Shapes.ShouldContain(s => s.TotalTokens == 256, "a busy engine fills its budget");
        cost.Shapes.ShouldContain(s => s.PrefillTokens > 0 && s.DecodeSequences > 0, "prefill chunks ride along with decodes");
    }

    [Fact]
    public void At_most_max_num_seqs_requests_are_between_first_and_last_token_at_once()
    {
        var rows = Enumerable.Range(0, 40).Select(_ => (0.0, 50, 30)).ToArray();
        var (_, records) = Sim.Run(Sim.Trace(rows), 30, engine: Sim.Engine(maxSeqs: 4, budget: 2048));

        foreach (var t in records.Select(r => r.FirstTokenSeconds!.Value))
            records.Count(r => r.FirstTokenSeconds <= t && r.LastTokenSeconds > t).ShouldBeLessThanOrEqualTo(4);
        records.Count(r => r.FirstTokenSeconds == records.Min(x => x.FirstTokenSeconds)).ShouldBe(4);
    }

    [Fact]
    public void Every_block_is_free_and_every_queue_empty_when_the_run_ends()
    {
        var options = new SimulationOptions
        {
            Engine = Sim.Engine(kvBlocks: 300),
            Replicas = 3,
            Routing = RoutingPolicy.SessionAffinity,
            Horizon = Duration.FromSeconds(60),
            Seed = 4,
        };
        var (result, replicas) = Simulator.RunInspectable(options, Sim.DefaultCost(), WorkloadPreset.Chat.AtRate(3));

        result.Preemptions.ShouldBeGreaterThan(0);
        foreach (var replica in replicas)
        {
            replica.Pool.FreeCount.ShouldBe(replica.Pool.Capacity);
            replica.Running.ShouldBe(0);
            replica.Waiting.ShouldBe(0);
            replica.Busy.ShouldBeFalse();
        }
    }

    [Fact]
    public void The_same_seed_replays_the_same_run_for_any_configuration()
    {
        var gen =
            from seed in Gen.Choose(0, 1_000_000)
            from blocks in Gen.Choose(60, 2000)
            from replicas in Gen.Choose(1, 4)
            from policy in Gen.Elements(Enum.GetValues<RoutingPolicy>())
            from rate in Gen.Choose(1, 40)
            select (seed, blocks, replicas, policy, rate);

        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            IWorkload Make() => new OpenLoopWorkload(ArrivalProcess.Gamma(c.rate, 2), RequestLengths.Independent(LengthDistribution.LogNormal(200, 1, 900), LengthDistribution.LogNormal(60, 1, 400)));
            var a = Sim.Run(Make(), 5, engine: Sim.Engine(kvBlocks: c.blocks), replicas: c.replicas, routing: c.policy, seed: c.seed);
            var b = Sim.Run(Make(), 5, engine: Sim.Engine(kvBlocks: c.blocks), replicas: c.replicas, routing: c.policy, seed: c.seed);

            b.Records.Select(r => (r.Id, r.SendSeconds, r.FirstTokenSeconds, r.LastTokenSeconds, r.Replica, r.Preemptions, r.Outcome))
                .ShouldBe(a.Records.Select(r => (r.Id, r.SendSeconds, r.FirstTokenSeconds, r.LastTokenSeconds, r.Replica, r.Preemptions, r.Outcome)));
        }).Check(PropertyConfig.Default.WithMaxTest(40));
    }

    [Fact]
    public void Bursty_arrivals_raise_tail_ttft_at_the_same_mean_rate()
    {
        static double P99Ttft(ArrivalProcess arrivals)
        {
            var (_, records) = Sim.Run(new OpenLoopWorkload(arrivals, RequestLengths.Independent(LengthDistribution.Fixed(300), LengthDistribution.Fixed(100))), 300, seed: 9);
            var ttfts = records.Select(r => r.TtftSeconds!.Value).Order().ToList();
            return ttfts[(int)(0.99 * (ttfts.Count - 1))];
        }

        P99Ttft(ArrivalProcess.Gamma(8, 4)).ShouldBeGreaterThan(2 * P99Ttft(ArrivalProcess.Poisson(8)));
        P99Ttft(ArrivalProcess.Poisson(8)).ShouldBeGreaterThan(P99Ttft(ArrivalProcess.Constant(8)));
    }

    [Fact]
    public void A_diurnal_curve_shapes_the_simulated_day()
    {
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(0.1), RequestLengths.Independent(LengthDistribution.Fixed(50), LengthDistribution.Fixed(5)), DiurnalCurve.Cosine(1.8, peakHour: 12));
        var (_, records) = Sim.Run(workload, 86_400);

        var perHour = records.GroupBy(r => (int)(r.SendSeconds / 3600)).ToDictionary(g => g.Key, g => g.Count());
        ((double)perHour[12]).ShouldBe(1.8 * 360, 0.25 * 1.8 * 360);
        ((double)perHour.GetValueOrDefault(0)).ShouldBeLessThan(0.5 * 360);
    }
}
