using Tpd.Core.Catalog;
using Tpd.Core.Models;

namespace Tpd.Core.Tests.Models;

public class ModelResolverTests
{
    private const string Config = """{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10}""";

    private static Func<string, string?> Files(params string[] paths) =>
        p => paths.Contains(p) ? Config : null;

    [Fact]
    public void Custom_spec_is_parsed_inline()
    {
        ModelResolver.Resolve("custom:layers=2,hidden=64,heads=4,intermediate=128", Files()).NumLayers.ShouldBe(2);
    }

    [Fact]
    public void Catalog_name_is_looked_up()
    {
        ModelResolver.Resolve("Qwen3-32B", Files()).Id.ShouldBe("qwen3-32b");
    }

    [Fact]
    public void A_path_to_a_config_file_is_read_and_named_after_the_file()
    {
        var m = ModelResolver.Resolve("./models/my-model.json", Files("./models/my-model.json"));

        m.Id.ShouldBe("my-model");
        m.Source.ShouldBe("./models/my-model.json");
    }

    [Fact]
    public void A_folder_is_read_through_its_config_json_and_named_after_the_folder()
    {
        var m = ModelResolver.Resolve("/data/Llama-Custom", Files("/data/Llama-Custom/config.json"));

        m.Id.ShouldBe("Llama-Custom");
        m.Source.ShouldBe("/data/Llama-Custom/config.json");
    }

    [Fact]
    public void A_path_with_no_config_says_where_it_looked()
    {
        var e = Should.Throw<ModelConfigException>(() => ModelResolver.Resolve("./nothing", Files()));

        e.Message.ShouldStartWith("no config.json at './nothing' (looked for './nothing' and './nothing/config.json');");
    }

    [Fact]
    public void An_unknown_name_suggests_catalog_names()
    {
        var e = Should.Throw<CatalogLookupException>(() => ModelResolver.Resolve("qwen3-33b", Files()));

        e.Nearest.ShouldContain("qwen3-32b");
    }

    [Theory]
    [InlineData("models/Llama-3.1-8B/config.json", "Llama-3.1-8B")]
    [InlineData("C:\\models\\x.json", "x")]
    [InlineData("/abs/folder/", "folder")]
    public void IdFromPath_names_the_model_after_its_folder_or_file(string path, string id)
    {
        ModelResolver.IdFromPath(path).ShouldBe(id);
    }
}
