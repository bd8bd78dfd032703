using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Model.Memory;
using Tpd.TestKit;

namespace Tpd.Model.Tests.Memory;

public class KvLayoutTests
{
    private static ModelArchitecture Model(string id) => ModelCatalog.Default.Find(id);

    /// <summary>MODEL.md's BF16 examples: 2 x layers x kv_heads x head_dim x 2 bytes; MLA 61 x (512 + 64) x 2.</summary>
    [Theory]
    [InlineData("llama-3.1-8b", 131_072)]   // 2 x 32 x 8 x 128 x 2
    [InlineData("llama-3.1-70b", 327_680)]  // 2 x 80 x 8 x 128 x 2
    [InlineData("qwen2.5-7b", 57_344)]      // 2 x 28 x 4 x 128 x 2
    [InlineData("deepseek-v3", 70_272)]     // 61 x (512 + 64) x 2
    [InlineData("qwen3-32b", 262_144)]      // 2 x 64 x 8 x 128 x 2 (head_dim 128 as written, not 5120/64 = 80)
    [InlineData("gemma-2-9b", 344_064)]     // 2 x 42 x 8 x 256 x 2
    [InlineData("gpt-oss-20b", 49_152)]     // 2 x 24 x 8 x 64 x 2
    public void BytesPerToken_in_bf16_at_TP1_matches_the_formula(string id, double expected)
    {
        KvLayout.Of(Model(id)).BytesPerToken(KvFormat.Bf16, 1).Bytes.ShouldBe(expected);
    }

    [Theory]
    [InlineData("llama-3.1-8b")]
    [InlineData("deepseek-v3")]
    [InlineData("mixtral-8x7b")]
    public void Fp8_halves_bf16(string id)
    {
        var m = Model(id);

        KvLayout.Of(m).BytesPerToken(KvFormat.Fp8, 1).Bytes.ShouldBe(KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, 1).Bytes / 2);
    }

    [Fact]
    public void TP8_on_Llama_3_1_70B_leaves_one_KV_head_per_GPU()
    {
        var m = Model("llama-3.1-70b");

        KvLayout.Of(m).KvHeadsPerGpu(8).ShouldBe(1);
        KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, 8).Bytes.ShouldBe(2 * 80 * 1 * 128 * 2);
    }

    [Fact]
    public void TP16_on_Llama_3_1_70B_replicates_the_eight_KV_heads()
    {
        var m = Model("llama-3.1-70b");

        KvLayout.Of(m).KvHeadsPerGpu(16).ShouldBe(1);
        KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, 16).ShouldBe(KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, 8));
    }

    [Fact]
    public void MLA_latent_is_replicated_on_every_TP_rank()
    {
        var m = Model("deepseek-v3");

        KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, 8).Bytes.ShouldBe(70_272);
    }

    /// <summary>
    /// The napkin-math seed: d = 8192, 64 layers, 64 query heads, 8 KV heads, fp8 KV, 200k tokens:
    /// 2 x 64 x 8 x 128 x 1 = 131,072 B/token, 26.2 GB per full-context user; without GQA (64 KV heads)
    /// 1,048,576 B/token, 210 GB ("2Nd bytes per layer" in the seed text).
    /// </summary>
    [Fact]
    public void Seed_model_holds_26_GB_per_200k_token_user_with_GQA_and_210_GB_without()
    {
        var gqa = CustomModelSpec.Parse("custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9");
        var mha = CustomModelSpec.Parse("custom:layers=64,hidden=8192,heads=64,kv_heads=64,params=32e9");

        KvLayout.Of(gqa).BytesPerToken(KvFormat.Fp8, 1).Bytes.ShouldBe(131_072);
        KvLayout.Of(gqa).BytesForContext(KvFormat.Fp8, 1, 200_000).GB.ShouldBe(26.2144, 1e-9);
        KvLayout.Of(mha).BytesPerToken(KvFormat.Fp8, 1).Bytes.ShouldBe(1_048_576);
        KvLayout.Of(mha).BytesForContext(KvFormat.Fp8, 1, 200_000).GB.ShouldBe(209.7152, 1e-9);
    }

    [Fact]
    public void Sliding_layers_hold_at_most_the_window()
    {
        // Mistral-7B-v0.1: all 32 layers slide over 4096 tokens.
        var mistral = Model("mistral-7b-v0.1");
        var perToken = KvLayout.Of(mistral).BytesPerToken(KvFormat.Bf16, 1).Bytes;

        KvLayout.Of(mistral).BytesForContext(KvFormat.Bf16, 1, 1000).Bytes.ShouldBe(1000 * perToken);
        KvLayout.Of(mistral).BytesForContext(KvFormat.Bf16, 1, 32_000).Bytes.ShouldBe(4096 * perToken);
    }

    [Fact]
    public void Alternating_layers_cap_only_the_sliding_half()
    {
        // gpt-oss-20b: 12 full layers and 12 sliding layers of 128 tokens; 2 x 8 x 64 x 2 = 2048 B per layer-token.
        var m = Model("gpt-oss-20b");

        KvLayout.Of(m).BytesForContext(KvFormat.Bf16, 1, 10_000).Bytes.ShouldBe((12 * 10_000 * 2048.0) + (12 * 128 * 2048.0));
    }

    [Fact]
    public void Gemma_2_slides_on_every_other_layer()
    {
        // 42 layers: 21 sliding over 4096 tokens, 21 global; 2 x 8 x 256 x 2 = 8192 B per layer-token.
        var m = Model("gemma-2-9b");

        KvLayout.Of(m).BytesForContext(KvFormat.Bf16, 1, 8192).Bytes.ShouldBe((21 * 8192 * 8192.0) + (21 * 4096 * 8192.0));
    }

    [Fact]
    public void A_TP_degree_that_does_not_split_the_KV_heads_is_rejected_with_the_choices()
    {
        var e = Should.Throw<ArgumentOutOfRangeException>(() => KvLayout.Of(Model("llama-3.1-8b")).BytesPerToken(KvFormat.Bf16, 3));

        e.Message.ShouldStartWith("tensor parallel 3 does not split the 8 KV heads of llama-3.1-8b evenly; use a TP degree that divides 8 or is a multiple of it (1, 2, 4, 8, 16).");
    }

    [Fact]
    public void A_TP_degree_below_one_is_rejected()
    {
        var e = Should.Throw<ArgumentOutOfRangeException>(() => KvLayout.Of(Model("llama-3.1-8b")).BytesPerToken(KvFormat.Bf16, 0));

        e.Message.ShouldStartWith("tensor parallel degree must be at least 1, got 0.");
    }

    [Fact]
    public void A_negative_context_is_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => KvLayout.Of(Model("llama-3.1-8b")).BytesForContext(KvFormat.Bf16, 1, -1));
    }

    private static readonly string[] PropertyModels = ["llama-3.1-70b", "qwen2.5-7b", "gpt-oss-20b", "gemma-2-9b", "mistral-7b-v0.1", "deepseek-v3", "qwen3-30b-a3b"];

    [Fact]
    public void KV_per_GPU_never_grows_with_TP()
    {
        var tps = new[] { 1, 2, 4, 8, 16, 32 };
        Prop.ForAll(
                Gen.Elements(PropertyModels).ToArbitrary(),
                Gen.Choose(0, tps.Length - 2).ToArbitrary(),
                (id, i) =>
                {
                    var m = Model(id);
                    var narrow = KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, tps[i]);
                    var wide = KvLayout.Of(m).BytesPerToken(KvFormat.Bf16, tps[i + 1]);
                    return wide <= narrow;
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void Bytes_for_context_grow_with_context_and_stay_within_per_token_times_context()
    {
        Prop.ForAll(
                Gen.Elements(PropertyModels).ToArbitrary(),
                Gen.Choose(0, 300_000).ToArbitrary(),
                Gen.Choose(0, 300_000).ToArbitrary(),
                (id, a, b) =>
                {
                    var m = Model(id);
                    var (lo, hi) = (Math.Min(a, b), Math.Max(a, b));
                    var small = KvLayout.Of(m).BytesForContext(KvFormat.Fp8, 1, lo);
                    var large = KvLayout.Of(m).BytesForContext(KvFormat.Fp8, 1, hi);
                    var bound = KvLayout.Of(m).BytesPerToken(KvFormat.Fp8, 1) * hi;
                    return small <= large && large <= bound;
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void Sliding_only_models_stop_growing_at_the_window()
    {
        var m = Model("mistral-7b-v0.1");
        var atWindow = KvLayout.Of(m).BytesForContext(KvFormat.Bf16, 1, 4096);
        Prop.ForAll(
                Gen.Choose(4096, 1_000_000).ToArbitrary(),
                context => KvLayout.Of(m).BytesForContext(KvFormat.Bf16, 1, context) == atWindow)
            .Check(PropertyConfig.Default);
    }
}
