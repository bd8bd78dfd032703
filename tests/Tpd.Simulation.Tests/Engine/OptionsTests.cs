using Tpd.Core.Units;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Randomness;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Engine;

public class OptionsTests
{
    [Fact]
    public void Defaults_are_vllm_v1_on_a_large_gpu()
    {
        var options = new EngineOptions { KvBlocks = 1000 };

        options.BlockSize.ShouldBe(16);
        options.MaxNumBatchedTokens.ShouldBe(8192);
        options.MaxNumSeqs.ShouldBe(1024);
        options.Watermark.ShouldBe(0.01);
        options.EnablePrefixCaching.ShouldBeTrue();
        options.Validate().ShouldBeEmpty();
    }

    [Fact]
    public void Validate_reports_every_error_at_once_with_the_fix()
    {
        var options = new EngineOptions { KvBlocks = 0, MaxNumSeqs = 512, MaxNumBatchedTokens = 256, Watermark = 1.5 };

        options.Validate().ShouldBe([
            "kv blocks is 0; it must be at least 1: give the KV pool size in blocks (pool bytes / (block size x KV bytes per token)).",
            "max_num_batched_tokens (256) is below max_num_seqs (512); vLLM rejects this too: raise the token budget or lower max_num_seqs.",
            "watermark is 1.5; it must be in [0, 1) (vLLM uses 0.01).",
        ]);
    }

    [Fact]
    public void Run_refuses_invalid_options_listing_all_problems()
    {
        var options = new SimulationOptions { Engine = new EngineOptions { KvBlocks = 0 }, Replicas = 0, Horizon = Duration.FromSeconds(10) };

        var error = Should.Throw<ArgumentException>(() => Simulator.Run(options, Sim.DefaultCost(), Sim.Trace()));
        error.Message.ShouldContain("kv blocks is 0");
        error.Message.ShouldContain("replicas is 0; it must be at least 1.");
    }

    [Fact]
    public void A_cost_model_returning_zero_time_is_reported()
    {
        var error = Should.Throw<InvalidOperationException>(() => Sim.Run(Sim.Trace((0, 10, 2)), 10, cost: new LinearStepCost(0, 0)));

        error.Message.ShouldStartWith("the step cost model returned 0 s for StepShape {");
    }

    [Fact]
    public void Random_streams_are_reproducible_and_independent()
    {
        var a = new SimRandom(1);
        var b = new SimRandom(1);
        var first = Enumerable.Range(0, 5).Select(_ => a.NextUInt64()).ToList();

        Enumerable.Range(0, 5).Select(_ => b.NextUInt64()).ShouldBe(first);
        var s1 = new SimRandom(1).Split(1);
        var s2 = new SimRandom(1).Split(2);
        s1.NextUInt64().ShouldNotBe(s2.NextUInt64());
        Enumerable.Range(0, 1000).Select(_ => a.NextDouble()).ShouldAllBe(x => x >= 0 && x < 1);
    }

    [Fact]
    public void Arrivals_stop_at_the_horizon_but_requests_in_flight_finish()
    {
        var workload = new OpenLoopWorkload(ArrivalProcess.Constant(10), RequestLengths.Independent(LengthDistribution.Fixed(100), LengthDistribution.Fixed(500)));
        var (result, records) = Sim.Run(workload, 5);

        records.Max(r => r.SendSeconds).ShouldBeLessThanOrEqualTo(5);
        records.Count.ShouldBe(50);
        result.DurationSeconds.ShouldBeGreaterThan(5);
        records.ShouldAllBe(r => r.OutputTokens == 500);
    }

    [Fact]
    public void A_closed_loop_of_requests_that_never_fit_ends_instead_of_spinning()
    {
        var workload = new ClosedLoopWorkload(3, RequestLengths.Independent(LengthDistribution.Fixed(5000), LengthDistribution.Fixed(10)));
        var (result, records) = Sim.Run(workload, 10, engine: Sim.Engine(kvBlocks: 100));

        result.Rejected.ShouldBe(3);
        records.Count.ShouldBe(3);
        records.ShouldAllBe(r => r.ErrorClass == "too_long");
    }
}
