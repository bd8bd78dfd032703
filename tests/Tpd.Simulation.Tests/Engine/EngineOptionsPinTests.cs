using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Replicas;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;

namespace Tpd.Simulation.Tests.Engine;

/// <summary>
/// The replica that simulate, twin, plan and bench's prediction build for real configurations, pinned to the values
/// the code gave before replica assembly moved into one place: same inputs, same memory, step time and engine options.
/// </summary>
public class EngineOptionsPinTests
{
    public static TheoryData<string> Configurations => [.. Pins.Keys];

    private static readonly StepShape Mixed = new(512, 2, 512 * 700, 100, 32, 32 * 1500.0);

    private static readonly Dictionary<string, Pin> Pins = new()
    {
        ["llama-3.1-8b on h100-sxm, vLLM defaults"] = new("llama-3.1-8b", "h100-sxm", new ServingConfig(), Efficiency.Default, null,
            new(27624, 16, 1024, 8192), 16060522496, 1364197376, 57933396377.600006, 0.020212748965473662),
        ["llama-3.1-70b on h100-sxm, tp2 fp8 kv-fp8"] = new("llama-3.1-70b", "h100-sxm", new ServingConfig { TensorParallel = 2, Weights = WeightFormat.Fp8, Kv = KvFormat.Fp8 }, Efficiency.Default, null,
            new(28745, 16, 1024, 8192), 36328185856, 1353187328, 37676743065.600006, 0.05048048873130796),
        ["deepseek-v3 (MLA, MoE) on h200, tp8 fp8 kv-fp8"] = new("deepseek-v3", "h200", new ServingConfig { TensorParallel = 8, Weights = WeightFormat.Fp8, Kv = KvFormat.Fp8 }, Efficiency.Default, null,
            new(87486, 16, 1024, 8192), 84123388032, 762445824, 49182891494.40001, 0.03378603182635556),
        ["qwen3-30b-a3b on l40s (small-GPU defaults), int4, 64 sequences"] = new("qwen3-30b-a3b", "l40s", new ServingConfig { Weights = WeightFormat.Int4(), MaxNumSeqs = 64 }, Efficiency.Default, null,
            new(15842, 16, 64, 2048), 16802654448, 143753216, 24918198851.200005, 0.03351911167901233),
        ["gpt-oss-20b (mxfp4 checkpoint) on a100-80gb-sxm, block 32, 0.85 of memory"] = new("gpt-oss-20b", "a100-80gb-sxm", new ServingConfig { BlockSize = 32, GpuMemoryUtilization = 0.85 }, Efficiency.Default, null,
            new(36420, 32, 256, 2048), 13751518848, 368443392, 57283869056, 0.027192560057840723),
        ["gemma-2-9b (sliding window) on l4, fp8 kv-fp8, 4096-token budget"] = new("gemma-2-9b", "l4", new ServingConfig { Weights = WeightFormat.Fp8, Kv = KvFormat.Fp8, MaxBatchedTokens = 4096 }, Efficiency.Default, null,
            new(3373, 16, 256, 4096), 10159815680, 681574400, 9285606809.600002, 0.12128475680998488),
        ["llama-3.1-70b on b200 given 192 GB, fp8, MFU 0.6"] = new("llama-3.1-70b", "b200", new ServingConfig { Weights = WeightFormat.Fp8 }, Efficiency.Default with { Mfu = 0.6 }, DataSize.FromGB(192),
            new(18379, 16, 1024, 8192), 72656371712, 2169503744, 96363511808, 0.03183322776519111),
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_real_configuration_gives_the_same_memory_step_time_and_engine_options_as_before(string configuration)
    {
        var pin = Pins[configuration];
        var setup = new ReplicaSetup { Gpu = GpuCatalog.Default.Get(pin.Gpu), Serving = pin.Serving, Efficiency = pin.Efficiency, MemoryPerGpu = pin.MemoryPerGpu };
        var replica = new ReplicaBuilder(ModelCatalog.Default.Find(pin.Model)).Build(setup).ShouldBeOfType<AssembledReplica>();
        var engine = EngineOptions.For(replica);

        (engine.KvBlocks, engine.BlockSize, engine.MaxNumSeqs, engine.MaxNumBatchedTokens).ShouldBe(pin.Engine);
        replica.Memory.Weights.Bytes.ShouldBe(pin.WeightBytes);
        replica.Memory.Activations.Bytes.ShouldBe(pin.ActivationBytes);
        replica.Memory.KvPool.Bytes.ShouldBe(pin.PoolBytes);
        replica.StepModel.StepTime(Mixed).Seconds.ShouldBe(pin.StepSeconds);
    }

    [Fact]
    public void Llama_70b_in_bf16_on_one_h100_is_short_by_the_same_bytes_as_before()
    {
        var assembly = new ReplicaBuilder(ModelCatalog.Default.Find("llama-3.1-70b")).Build(new ReplicaSetup { Gpu = GpuCatalog.Default.Get("h100-sxm") });

        assembly.ShouldBeOfType<ReplicaDeficit>();
        assembly.Memory.Fits.ShouldBeFalse();
        assembly.Memory.Deficit.Bytes.ShouldBe(67918800486.399994);
        assembly.Memory.KvBlocks.ShouldBe(0);
    }

    private sealed record Pin(
        string Model,
        string Gpu,
        ServingConfig Serving,
        Efficiency Efficiency,
        DataSize? MemoryPerGpu,
        (int KvBlocks, int BlockSize, int MaxNumSeqs, int MaxNumBatchedTokens) Engine,
        double WeightBytes,
        double ActivationBytes,
        double PoolBytes,
        double StepSeconds);
}
