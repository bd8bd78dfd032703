using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Models;

public class ModelCatalogTests
{
    private static ModelCatalog Catalog => ModelCatalog.Default;

    [Theory]
    [InlineData("llama-2-70b")]
    [InlineData("llama-3.3-70b")]
    [InlineData("mixtral-8x22b")]
    [InlineData("qwen3-235b-a22b")]
    [InlineData("gpt-oss-120b")]
    [InlineData("gemma-2-27b")]
    [InlineData("deepseek-r1")]
    public void Issue_2_models_are_in_the_catalog(string id)
    {
        Catalog.Find(id).Id.ShouldBe(id);
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b")]
    [InlineData("llama-3.1-70b-chat-hf", "llama-3.1-70b")]
    [InlineData("google/gemma-2-27b-it", "gemma-2-27b")]
    [InlineData("Llama-3.1-8B", "llama-3.1-8b")]
    public void A_served_name_finds_its_base_architecture(string served, string id)
    {
        ModelCatalog.Default.TryFindServed(served, out var model).ShouldBeTrue();
        model.Id.ShouldBe(id);
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.1-8B-Instruct-AWQ")]
    [InlineData("my-finetune")]
    public void A_served_name_with_other_weights_or_unknown_is_not_guessed(string served) =>
        ModelCatalog.Default.TryFindServed(served, out _).ShouldBeFalse();

    [Fact]
    public void Every_fixture_config_is_embedded_byte_for_byte_and_named_in_the_index()
    {
        var assembly = typeof(ModelCatalog).Assembly;
        foreach (var path in Fixtures.Files("configs", "*.json"))
        {
            var file = Path.GetFileName(path);
            using var stream = assembly.GetManifestResourceStream("Tpd.Catalog.models/" + file);
            stream.ShouldNotBeNull(file);
            using var reader = new StreamReader(stream);
            reader.ReadToEnd().ShouldBe(File.ReadAllText(path), file);
            Catalog.Entries.ShouldContain(e => e.File == file, file);
        }
    }

    [Fact]
    public void Every_entry_carries_its_published_figures_and_sources()
    {
        Catalog.All.Count.ShouldBe(Catalog.Entries.Count);
        foreach (var (entry, model) in Catalog.Entries.Zip(Catalog.All))
        {
            model.Id.ShouldBe(entry.Id);
            model.Name.ShouldBe(entry.Name);
            model.PublishedTotalParams.ShouldBe(ParamCount.Parse(entry.ParamsTotal));
            (model.Moe is null).ShouldBe(entry.ParamsActive is null, entry.Id);
            entry.ParamsSource.ShouldNotBeNullOrWhiteSpace();
            model.Source.ShouldBe(entry.ConfigSource);
        }
    }

    [Theory]
    [InlineData("Llama-3.1-70B")]
    [InlineData("llama_3.1_70b")]
    [InlineData("LLAMA 3.1 70B")]
    [InlineData("meta-llama/Meta-Llama-3.1-70B")]
    public void Find_ignores_case_and_separators_and_knows_aliases(string name)
    {
        Catalog.Find(name).Id.ShouldBe("llama-3.1-70b");
    }

    [Fact]
    public void Find_of_an_unknown_name_suggests_the_nearest()
    {
        var e = Should.Throw<CatalogLookupException>(() => Catalog.Find("lama-3.1-70b"));

        e.Message.ShouldBe("unknown model 'lama-3.1-70b'; did you mean 'llama-3.1-70b', 'llama-3.3-70b', 'llama-2-70b'? see `tpd catalog models`");
    }

    [Fact]
    public void The_bf16_Qwen3_235B_entry_ignores_the_fp8_config_it_shares()
    {
        Catalog.Find("qwen3-235b-a22b").Quantization.ShouldBeNull();
        Catalog.Find("qwen3-235b-a22b-fp8").Quantization.ShouldNotBeNull();
    }

    [Fact]
    public void DeepSeek_R1_shares_DeepSeek_V3_architecture()
    {
        var r1 = Catalog.Find("DeepSeek-R1");
        var v3 = Catalog.Find("deepseek-v3");

        (r1.NumLayers, r1.Mla, r1.Moe!.NumExperts).ShouldBe((v3.NumLayers, v3.Mla, v3.Moe!.NumExperts));
        r1.PublishedActiveExcludesEmbedding.ShouldBeTrue();
    }

    [Fact]
    public void EntryOf_returns_the_index_row()
    {
        Catalog.EntryOf(Catalog.Find("gpt-oss-20b")).ParamsActive.ShouldBe("3.61B");
    }

    [Fact]
    public void A_name_used_by_two_entries_is_rejected()
    {
        const string index = """
            {"models": [
              {"id": "a", "name": "A", "aliases": ["same"], "file": "a.json", "params_total": "1B", "params_source": "s", "config_source": "c"},
              {"id": "b", "name": "B", "aliases": ["same"], "file": "a.json", "params_total": "1B", "params_source": "s", "config_source": "c"}
            ]}
            """;
        const string config = """{"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""";

        Should.Throw<InvalidOperationException>(() => ModelCatalog.Load(index, _ => config))
            .Message.ShouldBe("model catalog name 'same' is used by both 'a' and 'b'");
    }
}
