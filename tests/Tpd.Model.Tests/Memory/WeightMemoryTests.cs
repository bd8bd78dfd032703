using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Memory;

namespace Tpd.Model.Tests.Memory;

public class WeightMemoryTests
{
    // Llama-3.1-8B by group: decoder linear layers 32 x (41,943,040 attention + 176,160,768 MLP),
    // embedding and LM head 525,336,576 each, norms 65 x 4096.
    private const double Linear8B = 32 * (41_943_040.0 + 176_160_768.0);
    private const double Embedding8B = 525_336_576;
    private const double Norms8B = 65 * 4096.0;

    private static (ModelArchitecture M, ParameterCounts C) Model(string id)
    {
        var m = ModelCatalog.Default.Find(id);
        return (m, ParameterCounter.Count(m));
    }

    [Fact]
    public void Bf16_is_two_bytes_per_parameter()
    {
        var (m, c) = Model("llama-3.1-8b");

        var w = WeightMemory.Compute(m, c, null);

        w.Total.Bytes.ShouldBe(2 * 8_030_261_248.0);
        w.BitsPerParameter.ShouldBe(16, 1e-12);
        w.Embedding.Bytes.ShouldBe(2 * Embedding8B);
        w.RoutedExperts.ShouldBe(DataSize.Zero);
    }

    [Fact]
    public void Fp8_quantizes_the_linear_layers_and_keeps_embeddings_LM_head_and_norms_in_16_bit()
    {
        var (m, c) = Model("llama-3.1-8b");

        var w = WeightMemory.Compute(m, c, WeightFormat.Fp8);

        w.Total.Bytes.ShouldBe(Linear8B + (2 * ((2 * Embedding8B) + Norms8B)), 1);
        w.Embedding.Bytes.ShouldBe(2 * Embedding8B);
    }

    [Fact]
    public void Int4_group_128_adds_an_fp16_scale_and_a_4_bit_zero_per_128_weights()
    {
        var (m, c) = Model("llama-3.1-8b");

        var w = WeightMemory.Compute(m, c, WeightFormat.Int4(128));

        w.Total.Bytes.ShouldBe((Linear8B * (0.5 + (2.5 / 128))) + (2 * ((2 * Embedding8B) + Norms8B)), 1);
    }

    [Fact]
    public void Nvfp4_adds_an_fp8_scale_per_16_weights()
    {
        var (m, c) = Model("llama-3.1-8b");

        var w = WeightMemory.Compute(m, c, WeightFormat.Nvfp4);

        w.Total.Bytes.ShouldBe((Linear8B * 0.5625) + (2 * ((2 * Embedding8B) + Norms8B)), 1);
    }

    /// <summary>gpt-oss model card (OpenAI, 2025-08-05), Table 1: checkpoint size 12.8 GiB (20b) and 60.8 GiB (120b).</summary>
    [Theory]
    [InlineData("gpt-oss-20b", 12.8)]
    [InlineData("gpt-oss-120b", 60.8)]
    public void Gpt_oss_checkpoint_in_its_own_mxfp4_matches_the_published_size(string id, double gib)
    {
        var (m, c) = Model(id);

        var w = WeightMemory.Compute(m, c, null);

        w.Total.GiB.ShouldBe(gib, gib * 0.01);
    }

    [Fact]
    public void Gpt_oss_mxfp4_covers_only_the_experts()
    {
        var (m, c) = Model("gpt-oss-20b");

        var w = WeightMemory.Compute(m, c, null);

        m.Quantization!.Scope.ShouldBe(QuantizedScope.ExpertsOnly);
        w.RoutedExperts.Bytes.ShouldBe(c.RoutedExperts * (0.5 + (1.0 / 32)), 1);
        w.NonExpert.Bytes.ShouldBe((c.Attention + c.Router + c.Norms + c.LmHead) * 2, 1);
        w.PerExpert.Bytes.ShouldBe(c.ParamsPerExpert * (0.5 + (1.0 / 32)), 1e-6);
    }

    [Fact]
    public void Naming_the_checkpoint_format_keeps_its_scope_and_another_format_covers_every_linear_layer()
    {
        var (m, c) = Model("gpt-oss-20b");

        WeightMemory.Compute(m, c, WeightFormat.Mxfp4).ShouldBe(WeightMemory.Compute(m, c, null));
        var nvfp4 = WeightMemory.Compute(m, c, WeightFormat.Nvfp4);
        nvfp4.NonExpert.Bytes.ShouldBe((c.Attention * 0.5625) + ((c.Router + c.Norms + c.LmHead) * 2), 1);
    }

    [Fact]
    public void DeepSeek_V3_defaults_to_its_fp8_checkpoint()
    {
        var (m, c) = Model("deepseek-v3");

        var w = WeightMemory.Compute(m, c, null);

        w.RoutedExperts.Bytes.ShouldBe(c.RoutedExperts);
        w.Embedding.Bytes.ShouldBe(2 * c.Embedding);
    }

    [Fact]
    public void Groups_add_up_to_the_total_and_bits_per_parameter_follow()
    {
        var (m, c) = Model("qwen3-30b-a3b");

        var w = WeightMemory.Compute(m, c, WeightFormat.Fp8);

        (w.RoutedExperts + w.NonExpert + w.Embedding).ShouldBe(w.Total);
        w.BitsPerParameter.ShouldBe(w.Total.Bytes * 8 / c.Total, 1e-9);
        w.BitsPerParameter.ShouldBeGreaterThan(8);
        w.BitsPerParameter.ShouldBeLessThan(16);
    }
}
