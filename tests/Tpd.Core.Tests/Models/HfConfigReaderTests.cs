using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Models;

public class HfConfigReaderTests
{
    private static ModelArchitecture Fixture(string file) =>
        HfConfigReader.Parse(Fixtures.Read($"configs/{file}"), Path.GetFileNameWithoutExtension(file), file);

    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Fixtures.Files("configs", "*.json"))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Every_fixture_parses_with_one_span_per_layer(string file)
    {
        var m = Fixture(file);

        m.LayerSpans.Count.ShouldBe(m.NumLayers);
        m.HeadDim.ShouldBeGreaterThan(0);
        m.NumAttentionHeads.ShouldBeGreaterThanOrEqualTo(m.NumKeyValueHeads);
        m.Source.ShouldBe(file);
    }

    [Fact]
    public void Llama_reads_the_standard_fields_as_written()
    {
        var m = Fixture("Llama-3.1-70B.json");

        (m.NumLayers, m.HiddenSize, m.NumAttentionHeads, m.NumKeyValueHeads, m.HeadDim).ShouldBe((80, 8192, 64, 8, 128));
        (m.IntermediateSize, m.VocabSize, m.TieWordEmbeddings, m.MaxPositionEmbeddings).ShouldBe((28672, 128256, false, 131072));
        m.ModelType.ShouldBe("llama");
        m.Moe.ShouldBeNull();
        m.Mla.ShouldBeNull();
        m.SlidingWindow.ShouldBeNull();
        m.QkvBias.ShouldBeFalse();
        m.Quantization.ShouldBeNull();
    }

    [Fact]
    public void Qwen3_head_dim_is_read_not_derived_from_hidden_over_heads()
    {
        var m = Fixture("Qwen3-32B.json");

        (m.HiddenSize / m.NumAttentionHeads).ShouldBe(80);
        m.HeadDim.ShouldBe(128);
        m.QkNorm.ShouldBeTrue();
    }

    [Fact]
    public void Mistral_7B_v0_1_slides_every_layer_over_4096_tokens()
    {
        var m = Fixture("Mistral-7B-v0.1.json");

        m.SlidingWindow.ShouldBe(4096);
        m.LayerSpans.ShouldAllBe(s => s == AttentionSpan.Sliding);
    }

    [Fact]
    public void Qwen2_ignores_its_sliding_window_when_use_sliding_window_is_false()
    {
        var m = Fixture("Qwen2.5-7B.json");

        m.SlidingWindow.ShouldBeNull();
        m.LayerSpans.ShouldAllBe(s => s == AttentionSpan.Full);
        m.Notes.ShouldContain("use_sliding_window is false: sliding_window 131072 ignored, every layer attends to the full context");
        m.QkvBias.ShouldBeTrue();
        m.OutputBias.ShouldBeFalse();
    }

    [Fact]
    public void Gemma_2_alternates_sliding_and_global_layers_and_ties_embeddings_by_default()
    {
        var m = Fixture("gemma-2-9b.json");

        m.LayerSpans.Take(4).ShouldBe([AttentionSpan.Sliding, AttentionSpan.Full, AttentionSpan.Sliding, AttentionSpan.Full]);
        m.SlidingLayerCount.ShouldBe(21);
        m.SlidingWindow.ShouldBe(4096);
        m.NormsPerLayer.ShouldBe(4);
        m.TieWordEmbeddings.ShouldBeTrue();
        m.HeadDim.ShouldBe(256);
    }

    /// <summary>Shaped like google/gemma-3-27b-it: the decoder nested in text_config, vocab_size left to the class default.</summary>
    private const string Gemma3Nested = """
        {
          "architectures": ["Gemma3ForConditionalGeneration"],
          "model_type": "gemma3",
          "text_config": {
            "head_dim": 128, "hidden_size": 5376, "intermediate_size": 21504, "model_type": "gemma3_text",
            "num_attention_heads": 32, "num_hidden_layers": 62, "num_key_value_heads": 16,
            "sliding_window": 1024, "sliding_window_pattern": 6
          },
          "vision_config": { "hidden_size": 1152, "model_type": "siglip_vision_model" }
        }
        """;

    [Fact]
    public void Gemma_3_reads_the_nested_text_config_with_five_local_layers_per_global_one()
    {
        var m = HfConfigReader.Parse(Gemma3Nested, "gemma-3-27b", "gemma3.json");

        (m.NumLayers, m.HiddenSize, m.NumKeyValueHeads, m.HeadDim).ShouldBe((62, 5376, 16, 128));
        m.LayerSpans.Take(6).ShouldBe([.. Enumerable.Repeat(AttentionSpan.Sliding, 5), AttentionSpan.Full]);
        m.SlidingLayerCount.ShouldBe(52);
        m.VocabSize.ShouldBe(262_208);
        m.QkNorm.ShouldBeTrue();
        m.NormsPerLayer.ShouldBe(4);
        m.TieWordEmbeddings.ShouldBeTrue();
        m.Notes.ShouldContain("vocab_size absent: Gemma3TextConfig default 262208");
        m.Notes.ShouldContain("vision_config present: the vision tower is not counted (text decoder only)");
    }

    [Fact]
    public void Gemma_3_text_model_uses_the_pattern_on_a_flat_config()
    {
        var m = HfConfigReader.Parse("""
            {"model_type": "gemma3_text", "hidden_size": 1152, "num_hidden_layers": 26, "num_attention_heads": 4,
             "num_key_value_heads": 1, "head_dim": 256, "intermediate_size": 6912, "vocab_size": 262144,
             "sliding_window": 512, "sliding_window_pattern": 6}
            """, "g", "g.json");

        m.LayerSpans.Count(s => s == AttentionSpan.Full).ShouldBe(4); // layers 5, 11, 17, 23
        m.LayerSpans[5].ShouldBe(AttentionSpan.Full);
    }

    [Fact]
    public void Layer_types_decide_the_spans_when_present()
    {
        var m = Fixture("gpt-oss-20b.json");

        m.LayerSpans[0].ShouldBe(AttentionSpan.Sliding);
        m.LayerSpans[1].ShouldBe(AttentionSpan.Full);
        m.SlidingLayerCount.ShouldBe(12);
        m.SlidingWindow.ShouldBe(128);
    }

    [Fact]
    public void Gpt_oss_has_sinks_biases_a_router_bias_and_experts_only_mxfp4()
    {
        var m = Fixture("gpt-oss-20b.json");

        m.AttentionSinks.ShouldBeTrue();
        (m.QkvBias, m.OutputBias, m.MlpBias).ShouldBe((true, true, true));
        m.Moe.ShouldNotBeNull();
        (m.Moe.NumExperts, m.Moe.ExpertsPerToken, m.Moe.ExpertIntermediateSize, m.Moe.RouterBias).ShouldBe((32, 4, 2880, true));
        m.Quantization.ShouldNotBeNull();
        m.Quantization.Format.ShouldBe(WeightFormat.Mxfp4);
        m.Quantization.Scope.ShouldBe(QuantizedScope.ExpertsOnly);
        m.Quantization.NotConverted.ShouldContain("lm_head");
    }

    [Fact]
    public void DeepSeek_V3_reads_MLA_MoE_layout_and_fp8_checkpoint()
    {
        var m = Fixture("DeepSeek-V3.json");

        m.Mla.ShouldNotBeNull();
        (m.Mla.QLoraRank, m.Mla.KvLoraRank, m.Mla.QkRopeHeadDim, m.Mla.QkNopeHeadDim, m.Mla.VHeadDim).ShouldBe((1536, 512, 64, 128, 128));
        m.Moe.ShouldNotBeNull();
        (m.Moe.NumExperts, m.Moe.NumSharedExperts, m.Moe.FirstDenseLayers, m.Moe.ExpertsPerToken, m.Moe.RouterBias).ShouldBe((256, 1, 3, 8, true));
        m.Moe.IsMoeLayer(2).ShouldBeFalse();
        m.Moe.IsMoeLayer(3).ShouldBeTrue();
        m.IntermediateSize.ShouldBe(18432);
        m.Quantization!.Format.ShouldBe(WeightFormat.Fp8);
        m.Quantization.Scope.ShouldBe(QuantizedScope.AllLinear);
        m.Notes.ShouldContain("1 multi-token-prediction layer(s) (num_nextn_predict_layers) not counted: they are loaded only for speculative decoding");
    }

    [Fact]
    public void Mixtral_expert_width_is_its_intermediate_size()
    {
        var m = Fixture("Mixtral-8x7B-v0.1.json");

        m.Moe!.ExpertIntermediateSize.ShouldBe(14336);
        m.Moe.NumExperts.ShouldBe(8);
        m.SlidingWindow.ShouldBeNull();
    }

    [Fact]
    public void Qwen3_moe_reads_num_experts_and_moe_intermediate_size()
    {
        var m = Fixture("Qwen3-30B-A3B.json");

        (m.Moe!.NumExperts, m.Moe.ExpertsPerToken, m.Moe.ExpertIntermediateSize, m.Moe.LayerFrequency).ShouldBe((128, 8, 768, 1));
        m.Moe.NumSharedExperts.ShouldBe(0);
    }

    [Fact]
    public void Qwen_moe_mlp_only_layers_keep_a_dense_MLP()
    {
        var m = HfConfigReader.Parse("""
            {"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 256, "vocab_size": 100, "num_experts": 8,
             "num_experts_per_tok": 2, "moe_intermediate_size": 32, "mlp_only_layers": [0, 2]}
            """, "q", "q.json");

        Enumerable.Range(0, 4).Select(m.Moe!.IsMoeLayer).ShouldBe([false, true, false, true]);
    }

    [Fact]
    public void Phi3_keeps_its_2047_token_window_on_every_layer()
    {
        var m = Fixture("Phi-3-mini-4k-instruct.json");

        m.SlidingWindow.ShouldBe(2047);
        m.SlidingLayerCount.ShouldBe(32);
    }

    [Fact]
    public void Missing_kv_heads_means_multi_head_attention()
    {
        var m = HfConfigReader.Parse("""{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""", "t", "t.json");

        m.NumKeyValueHeads.ShouldBe(4);
        m.HeadDim.ShouldBe(16);
        m.Notes.ShouldContain("num_key_value_heads absent: one K/V head per query head (multi-head attention)");
    }

    [Fact]
    public void Unknown_architecture_with_the_standard_fields_parses_as_dense_and_says_so()
    {
        var m = HfConfigReader.Parse("""{"model_type": "olmo2", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 10}""", "o", "o.json");

        m.Moe.ShouldBeNull();
        m.Notes.ShouldContain(n => n.StartsWith("model_type 'olmo2' is not one tpd knows", StringComparison.Ordinal));
    }

    [Fact]
    public void Alternative_field_names_are_accepted()
    {
        var m = HfConfigReader.Parse("""{"n_layer": 2, "n_embd": 64, "n_head": 4, "n_inner": 256, "n_vocab": 10}""", "g", "g.json");

        (m.NumLayers, m.HiddenSize, m.NumAttentionHeads, m.IntermediateSize, m.VocabSize).ShouldBe((2, 64, 4, 256, 10));
    }

    [Fact]
    public void A_missing_field_is_named_with_the_alternatives_looked_for()
    {
        var json = """{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""";

        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(json, "x", "x.json"));

        e.Message.ShouldBe("config.json 'x.json' is missing 'num_hidden_layers' (also looked for 'n_layer', 'num_layers', 'n_layers'). "
            + "Fix the file, or describe the model inline: --model custom:layers=N,hidden=N,heads=N,kv_heads=N,params=N.");
    }

    [Fact]
    public void Every_missing_and_bad_field_is_named_at_once()
    {
        var json = """{"model_type": "mixtral", "num_attention_heads": 0, "num_local_experts": 8}""";

        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(json, "x", "x.json"));

        e.Message.ShouldBe("config.json 'x.json' is missing 'num_hidden_layers' (also looked for 'n_layer', 'num_layers', 'n_layers'), "
            + "'hidden_size' (also looked for 'n_embd', 'd_model', 'dim'), 'num_attention_heads' (also looked for 'n_head', 'n_heads', 'num_heads'), "
            + "'vocab_size' (also looked for 'padded_vocab_size', 'n_vocab'), 'num_experts_per_tok' (also looked for 'experts_per_token', 'num_experts_per_token', 'moe_top_k'), "
            + "'moe_intermediate_size' (also looked for 'expert_intermediate_size', 'intermediate_size (Mixtral, gpt-oss)'); "
            + "and has bad values: 'num_attention_heads' must be an integer of at least 1, got 0. "
            + "Fix the file, or describe the model inline: --model custom:layers=N,hidden=N,heads=N,kv_heads=N,params=N.");
        e.Problems.Count.ShouldBe(7);
    }

    [Fact]
    public void Heads_that_do_not_group_evenly_are_rejected()
    {
        var json = """{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 128, "vocab_size": 10}""";

        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(json, "x", "x.json"));

        e.Message.ShouldStartWith("config.json 'x.json' has bad values: num_attention_heads 4 is not a multiple of num_key_value_heads 3. ");
    }

    [Fact]
    public void Invalid_json_is_reported_with_the_file_name()
    {
        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse("{ not json", "x", "x.json"));

        e.Message.ShouldStartWith("config.json 'x.json' is not valid JSON:");
    }

    [Theory]
    [InlineData("""{"quant_method": "awq", "bits": 4, "group_size": 128}""", WeightKind.Int4, 128)]
    [InlineData("""{"quant_method": "gptq", "bits": 4, "group_size": 32}""", WeightKind.Int4, 32)]
    [InlineData("""{"quant_method": "gptq", "bits": 8, "group_size": 128}""", WeightKind.Int8, 0)]
    [InlineData("""{"quant_method": "fp8", "activation_scheme": "dynamic"}""", WeightKind.Fp8, 0)]
    [InlineData("""{"quant_method": "modelopt", "quant_algo": "NVFP4"}""", WeightKind.Nvfp4, 16)]
    [InlineData("""{"quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized"}""", WeightKind.Nvfp4, 16)]
    [InlineData("""{"quant_method": "compressed-tensors", "format": "float-quantized", "config_groups": {"group_0": {"weights": {"num_bits": 8, "type": "float"}}}}""", WeightKind.Fp8, 0)]
    [InlineData("""{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"group_0": {"weights": {"num_bits": 4, "type": "int", "group_size": 128}}}}""", WeightKind.Int4, 128)]
    public void Quantization_config_sets_the_checkpoint_format(string quant, WeightKind kind, int group)
    {
        var json = $$"""{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10, "quantization_config": {{quant}}}""";

        var m = HfConfigReader.Parse(json, "q", "q.json");

        m.Quantization.ShouldNotBeNull();
        m.Quantization.Format.ShouldBe(new WeightFormat(kind, group));
        m.Quantization.Scope.ShouldBe(QuantizedScope.AllLinear);
    }

    [Fact]
    public void An_unknown_quant_method_is_noted_and_left_bf16()
    {
        var json = """{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10, "quantization_config": {"quant_method": "hqq"}}""";

        var m = HfConfigReader.Parse(json, "q", "q.json");

        m.Quantization.ShouldBeNull();
        m.Notes.ShouldContain(n => n.StartsWith("quantization_config quant_method 'hqq' is not one tpd reads", StringComparison.Ordinal));
    }
}

public class HfConfigReaderFamilyTests
{
    private const string Mla = """
        "kv_lora_rank": 64, "q_lora_rank": null, "qk_rope_head_dim": 16, "qk_nope_head_dim": 32, "v_head_dim": 32,
        "hidden_size": 128, "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 512,
        "vocab_size": 100, "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 64, "n_shared_experts": 1
        """;

    [Fact]
    public void DeepSeek_moe_layer_freq_places_experts_where_the_layer_index_is_a_multiple()
    {
        var m = HfConfigReader.Parse($$"""{"model_type": "deepseek_v2", "num_hidden_layers": 6, "first_k_dense_replace": 1, "moe_layer_freq": 2, {{Mla}}}""", "d", "d.json");

        // transformers DeepseekV2: MoE when layer >= first_k_dense_replace and layer % moe_layer_freq == 0.
        Enumerable.Range(0, 6).Select(m.Moe!.IsMoeLayer).ShouldBe([false, false, true, false, true, false]);
        m.Mla!.QLoraRank.ShouldBeNull();
        m.Moe.RouterBias.ShouldBeFalse();
    }

    [Fact]
    public void Kimi_K2_is_read_as_DeepSeek_V3()
    {
        var m = HfConfigReader.Parse($$"""{"model_type": "kimi_k2", "num_hidden_layers": 4, "first_k_dense_replace": 1, {{Mla}}}""", "k", "k.json");

        m.Mla.ShouldNotBeNull();
        m.Moe!.RouterBias.ShouldBeTrue();
        m.Notes.ShouldNotContain(n => n.Contains("not one tpd knows", StringComparison.Ordinal));
    }

    [Fact]
    public void Llama_attention_bias_puts_biases_on_all_four_projections()
    {
        var m = HfConfigReader.Parse("""{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10, "attention_bias": true, "mlp_bias": true}""", "l", "l.json");

        (m.QkvBias, m.OutputBias, m.MlpBias).ShouldBe((true, true, true));
    }

    [Fact]
    public void Qwen_use_sliding_window_slides_the_layers_from_max_window_layers_on()
    {
        var m = HfConfigReader.Parse("""{"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10, "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2}""", "q", "q.json");

        m.LayerSpans.ShouldBe([AttentionSpan.Full, AttentionSpan.Full, AttentionSpan.Sliding, AttentionSpan.Sliding]);
        m.SlidingWindow.ShouldBe(32);
    }

    [Fact]
    public void Layer_types_of_the_wrong_length_are_rejected()
    {
        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse("""{"hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10, "sliding_window": 8, "layer_types": ["sliding_attention", "full_attention"]}""", "x", "x.json"));

        e.Message.ShouldContain("'layer_types' lists 2 layers but num_hidden_layers is 3");
    }

    [Fact]
    public void Integral_values_written_as_decimals_are_accepted_and_fractions_rejected()
    {
        HfConfigReader.Parse("""{"hidden_size": 64.0, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""", "x", "x.json").HiddenSize.ShouldBe(64);
        Should.Throw<ModelConfigException>(() => HfConfigReader.Parse("""{"hidden_size": 64.5, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""", "x", "x.json"))
            .Message.ShouldContain("'hidden_size' must be an integer of at least 1, got 64.5");
    }

    [Fact]
    public void A_json_array_at_the_root_is_rejected()
    {
        Should.Throw<ModelConfigException>(() => HfConfigReader.Parse("[1, 2]", "x", "x.json"))
            .Message.ShouldBe("config.json 'x.json' must hold a JSON object, got array.");
    }
}
