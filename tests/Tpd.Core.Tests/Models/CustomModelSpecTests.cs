using Tpd.Core.Models;

namespace Tpd.Core.Tests.Models;

public class CustomModelSpecTests
{
    [Fact]
    public void Seed_model_is_expressible_with_params_solving_the_MLP_width()
    {
        var m = CustomModelSpec.Parse("custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9");

        (m.NumLayers, m.HiddenSize, m.NumAttentionHeads, m.NumKeyValueHeads, m.HeadDim).ShouldBe((64, 8192, 64, 8, 128));
        m.VocabSize.ShouldBe(CustomModelSpec.DefaultVocab);
        m.PublishedTotalParams.ShouldBe(32e9);
        // (32e9 - 2 x 128256 x 8192 embeddings - 129 x 8192 norms - 64 x 151,003,136 attention) / (3 x 8192 x 64), rounded.
        m.IntermediateSize.ShouldBe((int)Math.Round((32e9 - (2 * 128_256.0 * 8192) - (129 * 8192.0) - (64 * 151_003_136.0)) / (3 * 8192.0 * 64)));
        m.LayerSpans.ShouldAllBe(s => s == AttentionSpan.Full);
        m.Id.ShouldBe("custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9");
        m.Notes.ShouldBe(["head_dim not given: 128 (= hidden / heads)", "vocab not given: 128256 (Llama 3 tokenizer)", $"intermediate solved from params 32B: {m.IntermediateSize}"]);
    }

    [Fact]
    public void Defaults_give_multi_head_attention_with_head_dim_hidden_over_heads()
    {
        var m = CustomModelSpec.Parse("layers=2,hidden=512,heads=8,intermediate=1024");

        m.NumKeyValueHeads.ShouldBe(8);
        m.HeadDim.ShouldBe(64);
        m.TieWordEmbeddings.ShouldBeFalse();
        m.Moe.ShouldBeNull();
        m.PublishedTotalParams.ShouldBeNull();
    }

    [Theory]
    [InlineData("32B", 32e9)]
    [InlineData("32e9", 32e9)]
    [InlineData("1.5T", 1.5e12)]
    [InlineData("300m", 300e6)]
    public void Params_accepts_suffixes_and_e_notation(string text, double expected)
    {
        CustomModelSpec.Parse($"custom:layers=2,hidden=512,heads=8,intermediate=1024,params={text}").PublishedTotalParams.ShouldBe(expected);
    }

    [Fact]
    public void Mixture_of_experts_with_window_and_global_layers()
    {
        var m = CustomModelSpec.Parse("custom:layers=12,hidden=1024,heads=16,kv_heads=4,experts=64,top_k=4,expert_intermediate=512,shared_experts=1,dense_layers=1,intermediate=4096,window=1024,global_every=6,tied=true");

        m.Moe.ShouldNotBeNull();
        (m.Moe.NumExperts, m.Moe.ExpertsPerToken, m.Moe.ExpertIntermediateSize, m.Moe.NumSharedExperts, m.Moe.FirstDenseLayers).ShouldBe((64, 4, 512, 1, 1));
        m.SlidingWindow.ShouldBe(1024);
        m.LayerSpans.Count(s => s == AttentionSpan.Full).ShouldBe(2);
        m.LayerSpans[5].ShouldBe(AttentionSpan.Full);
        m.TieWordEmbeddings.ShouldBeTrue();
    }

    [Fact]
    public void Every_bad_key_is_reported_at_once_with_the_allowed_keys()
    {
        var e = Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("custom:layers=x,hidden=8192,hedas=64,kv_heads=0,tied=maybe"));

        e.Message.ShouldStartWith("custom model 'custom:layers=x,hidden=8192,hedas=64,kv_heads=0,tied=maybe': "
            + "unknown key 'hedas'; 'layers' must be a whole number of at least 1, got 'x'; missing 'heads'; "
            + "'kv_heads' must be a whole number of at least 1, got '0'; 'tied' must be true or false, got 'maybe'; give intermediate or params. "
            + "Allowed keys: layers, hidden, heads, kv_heads, head_dim, intermediate, vocab, experts, top_k, expert_intermediate, shared_experts, dense_layers, window, global_every, tied, params.");
        e.Message.ShouldContain("kv_heads             key/value heads; default = heads (no GQA)");
        e.Problems.Count.ShouldBe(6);
    }

    [Fact]
    public void Params_too_small_for_the_attention_is_rejected()
    {
        var e = Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("custom:layers=64,hidden=8192,heads=64,params=1B"));

        e.Message.ShouldStartWith("custom model 'custom:layers=64,hidden=8192,heads=64,params=1B': params 1B is too small: embeddings and attention alone take 19.28B.");
    }

    [Fact]
    public void Help_lists_every_key_with_its_default()
    {
        foreach (var (key, _) in CustomModelSpec.Keys)
            CustomModelSpec.HelpText.ShouldContain($"  {key}");
        CustomModelSpec.HelpText.ShouldContain("default 128256 (Llama 3 tokenizer)");
    }
}

public class CustomModelSpecMoeTests
{
    [Fact]
    public void Params_solves_the_expert_width_of_an_MoE()
    {
        var m = CustomModelSpec.Parse("custom:layers=48,hidden=2048,heads=32,kv_heads=4,head_dim=128,experts=128,top_k=8,params=30.5B");

        m.Moe.ShouldNotBeNull();
        m.Moe.ExpertIntermediateSize.ShouldBeInRange(760, 776); // Qwen3-30B-A3B has 768 at 30.5B
        m.IntermediateSize.ShouldBe(m.Moe.ExpertIntermediateSize);
    }

    [Fact]
    public void Experts_without_top_k_and_dense_layers_without_a_width_are_reported_together()
    {
        var e = Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("custom:layers=4,hidden=64,heads=4,experts=8,dense_layers=1,params=1e6"));

        e.Problems.ShouldBe(["experts needs top_k", "dense_layers needs intermediate (the width of the dense layers)"]);
    }

    [Fact]
    public void Moe_keys_without_experts_are_rejected()
    {
        Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("custom:layers=4,hidden=64,heads=4,intermediate=128,top_k=2"))
            .Problems.ShouldBe(["top_k, expert_intermediate, shared_experts and dense_layers need experts"]);
    }

    [Fact]
    public void A_key_given_twice_is_rejected()
    {
        Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("custom:layers=4,layers=5,hidden=64,heads=4,intermediate=128"))
            .Problems.ShouldBe(["'layers' given twice"]);
    }

    [Fact]
    public void The_prefix_is_case_insensitive()
    {
        CustomModelSpec.IsCustom("CUSTOM:layers=1").ShouldBeTrue();
        CustomModelSpec.Parse("Custom:layers=2,hidden=64,heads=4,intermediate=128").NumLayers.ShouldBe(2);
    }
}

public class CustomModelSpecLimitTests
{
    [Theory]
    [InlineData("layers=2e9,hidden=512,heads=8,intermediate=1024", "'layers' must be a whole number from 1 to 4096, got '2e9'")]
    [InlineData("layers=2,hidden=1T,heads=8,intermediate=1024", "'hidden' must be a whole number from 1 to 262144, got '1T'")]
    [InlineData("layers=2,hidden=512,heads=8,intermediate=1024,vocab=1e300", "'vocab' must be a whole number from 1 to 16777216, got '1e300'")]
    [InlineData("layers=2,hidden=512,heads=8,params=1e300", "'params' must be a number with an optional K, M, B or T suffix (32B, 1.5T, 300M) or in e-notation (32e9), at most 1e15, got '1e300'")]
    public void Absurd_sizes_are_errors_naming_the_key(string spec, string problem) =>
        Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse(spec)).Problems.ShouldContain(problem);

    [Fact]
    public void Params_that_would_need_an_absurd_mlp_width_are_an_error_not_an_overflow()
    {
        var problem = Should.Throw<ModelConfigException>(() => CustomModelSpec.Parse("layers=1,hidden=64,heads=1,params=1e15")).Problems.Single();

        problem.ShouldStartWith("params 1000000B would need an MLP 52083332");
        problem.ShouldEndWith(" wide, more than the 1048576 allowed; give intermediate, or more layers or a wider hidden size");
    }
}
