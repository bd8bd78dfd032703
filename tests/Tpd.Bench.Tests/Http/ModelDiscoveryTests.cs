using Tpd.Bench.Http;

namespace Tpd.Bench.Tests.Http;

public class ModelDiscoveryTests
{
    [Fact]
    public void Parse_reads_the_ids_of_an_openai_model_list()
    {
        // vLLM 0.x shape: object list, data with id, owned_by, root, max_model_len.
        const string vllm = """{"object":"list","data":[{"id":"meta-llama/Llama-3.1-8B-Instruct","object":"model","created":1732000000,"owned_by":"vllm","root":"meta-llama/Llama-3.1-8B-Instruct","parent":null,"max_model_len":131072}]}""";
        ModelDiscovery.Parse(vllm).ShouldBe(["meta-llama/Llama-3.1-8B-Instruct"]);
        ModelDiscovery.Parse("""{"data":[{"id":"a"},{"id":"b"},{"id":"a"},{"name":"no id"}]}""").ShouldBe(["a", "b"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"error":{"message":"unauthorized"}}""")]
    public void Parse_of_something_else_is_null(string text) => ModelDiscovery.Parse(text).ShouldBeNull();

    [Fact]
    public void Single_is_the_model_only_when_there_is_exactly_one()
    {
        new DiscoveredModels(["m"], null).Single.ShouldBe("m");
        new DiscoveredModels(["m", "n"], null).Single.ShouldBeNull();
        new DiscoveredModels([], "listed no models").Single.ShouldBeNull();
    }
}
