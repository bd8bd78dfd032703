using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Measurement;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;
using Tpd.TestKit;

namespace Tpd.Simulation.Tests.Engine;

public class PreemptionTests
{
    [Fact]
    public void Short_kv_cache_preempts_yet_every_request_finishes_with_all_its_tokens()
    {
        // 200 blocks of 16 = 3,200 tokens for 32 clients that each grow to 500 tokens.
        var workload = new ClosedLoopWorkload(32, RequestLengths.Independent(LengthDistribution.Fixed(100), LengthDistribution.Fixed(400)));
        var (result, records) = Sim.Run(workload, 30, engine: Sim.Engine(kvBlocks: 200));

        result.Preemptions.ShouldBeGreaterThan(0);
        records.Count.ShouldBe((int)result.Submitted);
        result.Completed.ShouldBe(result.Submitted);
        records.ShouldAllBe(r => r.Outcome == RequestOutcome.Ok && r.OutputTokens == 400);
        records.Sum(r => r.Preemptions).ShouldBe((int)result.Preemptions);
        records.ShouldContain(r => r.Preemptions > 0);
    }

    [Fact]
    public void Inter_token_gaps_of_preempted_requests_include_the_recompute_pause()
    {
        var workload = new ClosedLoopWorkload(24, RequestLengths.Independent(LengthDistribution.Fixed(100), LengthDistribution.Fixed(300)));
        var (_, records) = Sim.Run(workload, 15, engine: Sim.Engine(kvBlocks: 200), keepGaps: true);

        var preempted = records.Where(r => r.Preemptions > 0).ToList();
        preempted.ShouldNotBeEmpty();
        foreach (var r in records)
        {
            r.InterTokenGaps.Count.ShouldBe(r.OutputTokens - 1);
            r.InterTokenGaps.Sum().ShouldBe(r.LastTokenSeconds!.Value - r.FirstTokenSeconds!.Value, 1e-6);
        }

        preempted.Average(r => r.InterTokenGaps.Max()).ShouldBeGreaterThan(3 * records.Where(r => r.Preemptions == 0).Average(r => r.InterTokenGaps.Max()));
    }

    [Fact]
    public void Ample_kv_cache_never_preempts()
    {
        var workload = new ClosedLoopWorkload(32, RequestLengths.Independent(LengthDistribution.Fixed(100), LengthDistribution.Fixed(400)));
        var (result, _) = Sim.Run(workload, 30, engine: Sim.Engine(kvBlocks: 2000));

        result.Preemptions.ShouldBe(0);
    }

    [Fact]
    public void Preempted_requests_are_slower_than_they_would_be_unpreempted()
    {
        var workload = new ClosedLoopWorkload(32, RequestLengths.Independent(LengthDistribution.Fixed(100), LengthDistribution.Fixed(400)));
        var (_, records) = Sim.Run(workload, 30, engine: Sim.Engine(kvBlocks: 200));

        var preempted = records.Where(r => r.Preemptions > 0).Average(r => r.E2eSeconds!.Value);
        var clean = records.Where(r => r.Preemptions == 0).Average(r => r.E2eSeconds!.Value);
        preempted.ShouldBeGreaterThan(clean);
    }

    [Fact]
    public void No_request_is_ever_lost_whatever_the_cache_size_and_load()
    {
        var gen =
            from blocks in Gen.Choose(40, 400)
            from clients in Gen.Choose(1, 48)
            from input in Gen.Choose(1, 300)
            from output in Gen.Choose(1, 300)
            from budget in Gen.Elements(64, 256, 2048)
            select (blocks, clients, input, output, budget);

        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var workload = new ClosedLoopWorkload(c.clients, RequestLengths.Independent(LengthDistribution.Uniform(1, c.input), LengthDistribution.Uniform(1, c.output)));
            var (result, records) = Sim.Run(workload, 3, engine: Sim.Engine(kvBlocks: c.blocks, maxSeqs: Math.Min(64, c.budget), budget: c.budget));

            records.Count.ShouldBe((int)result.Submitted);
            (result.Completed + result.Rejected).ShouldBe(result.Submitted);
            records.Select(r => r.Id).Distinct().Count().ShouldBe(records.Count);
            foreach (var r in records.Where(r => r.Outcome == RequestOutcome.Ok))
            {
                r.FirstTokenSeconds!.Value.ShouldBeGreaterThan(r.SendSeconds);
                r.LastTokenSeconds!.Value.ShouldBeGreaterThanOrEqualTo(r.FirstTokenSeconds!.Value);
                r.OutputTokens.ShouldBe(r.RequestedOutputTokens!.Value);
            }
        }).Check(PropertyConfig.Default.WithMaxTest(60));
    }
}
