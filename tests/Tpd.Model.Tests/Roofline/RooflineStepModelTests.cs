using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.TestKit.Fakes;

namespace Tpd.Model.Tests.Roofline;

public class RooflineStepModelTests
{
    private static RooflineStepModel Model(string model, GpuSpec gpu, ServingConfig? serving = null, Efficiency? eff = null) =>
        new(new ModelProfile(ModelCatalog.Default.Find(model), gpu, serving ?? new ServingConfig(), eff ?? Efficiency.Ideal));

    [Fact]
    public void Ideal_batch_1_decode_with_no_context_streams_the_non_embedding_weights_at_full_bandwidth()
    {
        var m = Model("llama-3.1-8b", TestGpus.H100Sxm);
        var s = m.Analyze(StepShape.Decode(1, 0));
        var p = m.Profile;
        var weights = p.Weights.Total - p.Weights.Embedding;
        s.WeightBytes.Bytes.ShouldBe(weights.Bytes, 1);
        s.Total.Seconds.ShouldBe(weights.Bytes / 3.35e12 + s.KvBytes.Bytes / 3.35e12, 1e-12);
        s.Bound.ShouldBe(Bound.Memory);
    }

    [Fact]
    public void Linear_flops_are_two_per_active_matmul_parameter_per_token()
    {
        var m = Model("llama-3.1-8b", TestGpus.H100Sxm);
        var s = m.Analyze(StepShape.Prefill(4096));
        s.LinearFlops.Flops.ShouldBe(2 * m.Profile.Parameters.ActiveMatmul * 4096, 1e3);
        s.Bound.ShouldBe(Bound.Compute);
    }

    [Fact]
    public void Decode_attention_flops_and_kv_reads_grow_with_context()
    {
        var m = Model("llama-3.1-8b", TestGpus.H100Sxm);
        var short_ = m.Analyze(StepShape.Decode(8, 1_000));
        var long_ = m.Analyze(StepShape.Decode(8, 100_000));
        long_.KvBytes.ShouldBeGreaterThan(short_.KvBytes * 50);
        long_.AttentionFlops.ShouldBeGreaterThan(short_.AttentionFlops * 50);
        // Llama-3.1-8B bf16 KV: 131,072 B per token; 8 x 100,000 read plus 8 written.
        long_.KvBytes.Bytes.ShouldBe(131_072.0 * (800_000 + 8), 1);
    }

    [Fact]
    public void Moe_steps_read_only_the_experts_their_tokens_touch()
    {
        var m = Model("mixtral-8x7b", TestGpus.H100Sxm);
        var p = m.Profile;
        var one = m.Analyze(StepShape.Decode(1, 0)).WeightBytes.Bytes;
        var many = m.Analyze(StepShape.Prefill(4096)).WeightBytes.Bytes;
        var perLayerExpert = p.Weights.PerExpert.Bytes;
        // One token touches top-2 of 8 experts in each of 32 layers: E(1 - (1 - k/E)^1) = k.
        (one - (p.Weights.NonExpert.Bytes)).ShouldBe(32 * 2 * perLayerExpert, perLayerExpert * 0.01);
        // Thousands of tokens touch all experts.
        (many - p.Weights.NonExpert.Bytes).ShouldBe(32 * 8 * perLayerExpert, perLayerExpert * 0.01);
    }

    [Fact]
    public void Tensor_parallel_adds_two_all_reduces_per_layer_with_the_measured_latency_floor()
    {
        var gpu = TestGpus.H100Sxm;
        var m = Model("llama-3.1-70b", gpu, new ServingConfig { TensorParallel = 8 }, Efficiency.Default);
        var s = m.Analyze(StepShape.Decode(1, 0));
        // 160 all-reduces of 16 KiB: the 35 us floor dominates (NCCL 8 x H100: 1 MiB in 34 us).
        var bytes = 8192 * 2.0;
        var expected = 160 * (35e-6 + bytes * 2 * 7 / 8 / (450e9 * 0.81));
        s.CommunicationTime.Seconds.ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void All_reduce_of_64_MiB_matches_the_NCCL_measurement_within_15_percent()
    {
        // dev-set: NCCL all-reduce on 8 x H100 NVSwitch, 64 MiB in 0.322 ms.
        var m = Model("llama-3.1-70b", TestGpus.H100Sxm, new ServingConfig { TensorParallel = 8 }, Efficiency.Default);
        var tokens = 64.0 * 1024 * 1024 / (8192 * 2);
        var s = m.Analyze(new StepShape((int)tokens, 1, 0, 0, 0, 0));
        var perAllReduce = s.CommunicationTime.Seconds / 160;
        (perAllReduce / 0.322e-3).ShouldBeInRange(0.85, 1.15);
    }

    [Fact]
    public void Sliding_window_layers_read_at_most_the_window()
    {
        var m = Model("gemma-2-9b", TestGpus.H100Sxm);
        var atWindow = m.Analyze(StepShape.Decode(1, 4096)).KvBytes.Bytes;
        var far = m.Analyze(StepShape.Decode(1, 40_960)).KvBytes.Bytes;
        // Half the layers slide at 4,096: 10x the context reads only (1 + 10) / 2 = 5.5x the KV.
        (far / atWindow).ShouldBe(5.5, 0.05);
    }

    [Fact]
    public void Empty_step_costs_nothing()
    {
        var m = Model("llama-3.1-8b", TestGpus.H100Sxm, eff: Efficiency.Default);
        m.StepTime(new StepShape(0, 0, 0, 0, 0, 0)).ShouldBe(Duration.Zero);
    }

    [Fact]
    public void Fp8_weights_run_on_fp8_tensor_cores_and_int4_on_bf16()
    {
        var fp8 = new ModelProfile(ModelCatalog.Default.Find("llama-3.1-8b"), TestGpus.H100Sxm, new ServingConfig { Weights = WeightFormat.Fp8 }, Efficiency.Default);
        fp8.ComputeType.ShouldBe(ComputeType.Fp8);
        var int4 = new ModelProfile(ModelCatalog.Default.Find("llama-3.1-8b"), TestGpus.H100Sxm, new ServingConfig { Weights = WeightFormat.Int4() }, Efficiency.Default);
        int4.ComputeType.ShouldBe(ComputeType.Bf16);
        var nvfp4OnHopper = new ModelProfile(ModelCatalog.Default.Find("llama-3.1-8b"), TestGpus.H100Sxm, new ServingConfig { Weights = WeightFormat.Nvfp4 }, Efficiency.Default);
        nvfp4OnHopper.ComputeType.ShouldBe(ComputeType.Fp8);
    }
}
