using Tpd.Model.Roofline;
using Tpd.Simulation.Tests.Support;

namespace Tpd.Simulation.Tests.Engine;

public class ReplicaLatencyTests
{
    [Fact]
    public void Ttft_of_a_lone_request_is_one_prefill_step_that_also_samples_the_first_token()
    {
        var cost = Sim.DefaultCost();
        var (_, records) = Sim.Run(Sim.Trace((1.0, 500, 100)), 10, cost: cost);

        var r = records.ShouldHaveSingleItem();
        r.SendSeconds.ShouldBe(1.0);
        r.TtftSeconds!.Value.ShouldBe(cost.PrefillOnly(500), 1e-12);
    }

    [Fact]
    public void Tpot_of_a_lone_request_is_the_batch_one_decode_step_time()
    {
        var cost = Sim.DefaultCost();
        const int prompt = 500, output = 100;
        var (_, records) = Sim.Run(Sim.Trace((0.0, prompt, output)), 10, cost: cost);

        // Decode step k reads the prompt, the k earlier sampled tokens and the token it processes.
        var expected = Enumerable.Range(0, output - 1).Average(k => cost.DecodeOne(prompt + k + 1));
        records[0].TpotSeconds!.Value.ShouldBe(expected, 1e-12);
        records[0].OutputTokens.ShouldBe(output);
    }

    [Fact]
    public void Chunked_prefill_splits_a_long_prompt_into_budget_sized_steps()
    {
        var cost = Sim.DefaultCost();
        var (_, records) = Sim.Run(Sim.Trace((0.0, 5000, 2)), 10, engine: Sim.Engine(budget: 2048), cost: cost);

        var expected = cost.PrefillOnly(2048) + cost.PrefillOnly(2048, 2048) + cost.PrefillOnly(904, 4096);
        records[0].TtftSeconds!.Value.ShouldBe(expected, 1e-12);
    }

    [Fact]
    public void A_single_token_request_ends_at_its_prefill_step()
    {
        var (_, records) = Sim.Run(Sim.Trace((0.0, 64, 1)), 10);

        records[0].LastTokenSeconds.ShouldBe(records[0].FirstTokenSeconds);
        records[0].TpotSeconds.ShouldBeNull();
    }

    [Fact]
    public void Inter_token_gaps_when_kept_sum_to_the_time_between_first_and_last_token()
    {
        var (_, records) = Sim.Run(Sim.Trace((0.0, 100, 50), (0.05, 300, 40)), 10, keepGaps: true);

        foreach (var r in records)
        {
            r.InterTokenGaps.Count.ShouldBe(r.OutputTokens - 1);
            r.InterTokenGaps.Sum().ShouldBe(r.LastTokenSeconds!.Value - r.FirstTokenSeconds!.Value, 1e-9);
            r.InterTokenGaps.ShouldAllBe(g => g > 0);
        }
    }

    [Fact]
    public void Requests_arriving_together_share_steps()
    {
        var cost = Sim.DefaultCost();
        var (_, records) = Sim.Run(Sim.Trace((0.0, 100, 10), (0.0, 100, 10)), 10, cost: cost);

        records.Count.ShouldBe(2);
        records[0].FirstTokenSeconds.ShouldBe(records[1].FirstTokenSeconds);
        records[0].TtftSeconds!.Value.ShouldBe(cost.PrefillOnly(200), 1e-12);
    }

    [Fact]
    public void A_request_longer_than_the_kv_cache_is_recorded_as_an_error_not_lost()
    {
        var (result, records) = Sim.Run(Sim.Trace((0.0, 2000, 100), (0.0, 100, 10)), 10, engine: Sim.Engine(kvBlocks: 100));

        result.Rejected.ShouldBe(1);
        records.Count.ShouldBe(2);
        var rejected = records.Single(r => r.Outcome != Tpd.Core.Measurement.RequestOutcome.Ok);
        rejected.ErrorClass.ShouldBe("too_long");
        rejected.InputTokens.ShouldBe(2000);
    }

    [Fact]
    public void A_lone_request_is_priced_as_one_prefill_shape_then_batch_one_decode_shapes()
    {
        var cost = new RecordingCost(Sim.DefaultCost());
        Sim.Run(Sim.Trace((0.0, 700, 4)), 10, cost: cost);

        cost.Shapes.ShouldBe([
            StepShape.Prefill(700),
            StepShape.Decode(1, 701),
            StepShape.Decode(1, 702),
            StepShape.Decode(1, 703),
        ]);
    }
}
