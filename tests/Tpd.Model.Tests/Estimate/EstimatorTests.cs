using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Cost;
using Tpd.Model.Estimate;
using Tpd.Model.Serving;

namespace Tpd.Model.Tests.Estimate;

public class EstimatorTests
{
    private static EstimateRequest Request(string model = "llama-3.1-8b", string gpu = "h100-sxm") => new()
    {
        Model = ModelCatalog.Default.Find(model),
        Gpu = GpuCatalog.Default.Get(gpu),
    };

    [Fact]
    public void A_model_too_big_for_one_gpu_says_by_how_much_and_which_tp_or_type_fits()
    {
        var r = Estimator.Estimate(Request("llama-3.1-70b"));
        r.Fits.ShouldBeFalse();
        r.Point.ShouldBeNull();
        r.Advice[0].ShouldStartWith("does not fit: weights (141.1 GB)");
        r.Advice[0].ShouldContain("by ");
        r.Advice.ShouldContain("fits with --tp 2 (2 GPUs per replica)");
        r.Advice.ShouldContain(a => a.StartsWith("fits at --tp 1 with --weights fp8 or --weights nvfp4 or --weights int4-g128", StringComparison.Ordinal));
    }

    [Fact]
    public void Single_request_ttft_is_the_prefill_and_tpot_the_batch_1_step()
    {
        var r = Estimator.Estimate(Request());
        var single = r.Single!.Value;
        single.Batch.ShouldBe(1);
        single.Ttft.ShouldBe(single.PrefillAlone);
        single.PerUserTokensPerSecond.ShouldBe(1 / single.Tpot.Seconds, 1e-9);
        // Batch 1 of an 8B bf16 model on H100: about 16 GB at 0.75 x 3.35 TB/s plus 1 ms overhead, 7-8 ms.
        single.Tpot.Milliseconds.ShouldBeInRange(6.5, 8.5);
    }

    [Fact]
    public void Saturation_uses_the_largest_batch_that_fits_at_the_mean_context()
    {
        var r = Estimator.Estimate(Request());
        var p = r.Point!.Value;
        p.Batch.ShouldBe((int)Math.Min(r.Memory.SequencesAt(r.Profile, 1024 + 128), r.MaxNumSeqs));
        p.OutputRate.TokensPerSecond.ShouldBeGreaterThan(r.Single!.Value.OutputRate.TokensPerSecond * 10);
    }

    [Fact]
    public void Owned_hardware_costs_depreciation_plus_electricity()
    {
        var price = new OwnedPrice(Money.FromDollars(35_040), Duration.FromHours(4 * 8760), Power.FromWatts(1000), 1.5, EnergyPrice.FromDollarsPerKilowattHour(0.10));
        price.Depreciation.DollarsPerHour.ShouldBe(1.0, 1e-12);
        price.Electricity.DollarsPerHour.ShouldBe(0.15, 1e-12);
        var r = Estimator.Estimate(Request() with { Price = price });
        r.Cost!.PerReplica.DollarsPerHour.ShouldBe(1.15, 1e-12);
    }

    [Fact]
    public void Users_served_are_concurrent_sequences_over_the_duty_cycle()
    {
        var r = Estimator.Estimate(Request() with { Workload = new Workload { DutyCycle = 0.25 } });
        r.Cost!.UsersServed.ShouldBe(r.Point!.Value.Batch / 0.25, 1e-9);
        r.Cost.DollarsPerUserMonth.ShouldBe(r.Cost.PerReplica.DollarsPerHour * 720 / r.Cost.UsersPriced, 1e-9);
    }

    [Fact]
    public void Tokens_per_joule_use_the_tdp_unless_told()
    {
        var r = Estimator.Estimate(Request());
        r.Cost!.Power.Watts.ShouldBe(700);
        r.Cost.OutputTokensPerJoule.ShouldBe(r.Point!.Value.OutputRate.TokensPerSecond / 700, 1e-9);
        var measured = Estimator.Estimate(Request() with { WattsPerGpu = Power.FromWatts(550) });
        measured.Cost!.Power.Watts.ShouldBe(550);
    }

    [Fact]
    public void Invalid_inputs_are_all_reported_at_once()
    {
        var bad = Request("llama-3.1-70b") with
        {
            Serving = new ServingConfig { TensorParallel = 3, GpuMemoryUtilization = 1.5 },
            Workload = new Workload { DutyCycle = 0, InputTokens = 0 },
        };
        var errors = bad.Validate();
        errors.ShouldContain("gpu memory utilization 1.5 is out of range; use a fraction in (0, 1], e.g. 0.9");
        errors.ShouldContain("input tokens 0 is out of range; use 1 to 10,000,000");
        errors.ShouldContain("duty cycle 0 is out of range; use a fraction in (0, 1], e.g. 0.2 for users idle 80% of the time");
        errors.ShouldContain(e => e.StartsWith("tensor parallel 3 does not divide the 8 KV heads", StringComparison.Ordinal));
        Should.Throw<ArgumentException>(() => Estimator.Estimate(bad));
    }

    [Fact]
    public void Fp8_kv_doubles_the_tokens_the_pool_holds()
    {
        var bf16 = Estimator.Estimate(Request());
        var fp8 = Estimator.Estimate(Request() with { Serving = new ServingConfig { Kv = KvFormat.Fp8 } });
        ((double)fp8.Memory.KvTokens / bf16.Memory.KvTokens).ShouldBe(2, 0.001);
    }

    [Fact]
    public void Critical_batch_of_ideal_decode_at_zero_context_is_the_machine_balance_over_two_per_byte()
    {
        // Ideal, no KV: compute 2 P B / F equals weight reads W / BW at B = (W / 2P) x (F / BW).
        var model = new Tpd.Model.Roofline.RooflineStepModel(new Tpd.Model.Roofline.ModelProfile(ModelCatalog.Default.Find("llama-3.1-8b"), GpuCatalog.Default.Get("h100-sxm"), new ServingConfig { Weights = WeightFormat.Fp8 }, Efficiency.Ideal));
        var p = model.Profile;
        var weightsRead = (p.Weights.Total - p.Weights.Embedding).Bytes;
        var expected = weightsRead / (2 * p.Parameters.ActiveMatmul) * (p.Peak.FlopsPerSecond / p.Gpu.MemoryBandwidth.BytesPerSecond);
        var critical = Estimator.CriticalBatchSize(model, 0)!.Value;
        // KV writes of the batch's own tokens move it slightly; 2%.
        (critical / expected).ShouldBe(1, 0.02);
    }
}
