using Tpd.Bench.Streaming;

namespace Tpd.Bench.Tests.Streaming;

public class StreamChunkTests
{
    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""", ChunkKind.NoToken)]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant"}}]}""", ChunkKind.NoToken)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"Hi"}}]}""", ChunkKind.Token)]
    [InlineData("""{"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}""", ChunkKind.Token)]
    [InlineData("""{"choices":[{"index":0,"delta":{"reasoning":"hmm"}}]}""", ChunkKind.Token)]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]}""", ChunkKind.Token)]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[]}}]}""", ChunkKind.NoToken)]
    [InlineData("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", ChunkKind.NoToken)]
    [InlineData("""{"choices":[{"index":0,"text":" world","finish_reason":null}]}""", ChunkKind.Token)]
    [InlineData("""{"choices":[{"index":0,"text":"","finish_reason":"length"}]}""", ChunkKind.NoToken)]
    [InlineData("""{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""", ChunkKind.UsageOnly)]
    [InlineData("""{"error":{"message":"boom","type":"InternalServerError","code":500}}""", ChunkKind.Error)]
    [InlineData("[DONE]", ChunkKind.Done)]
    [InlineData("not json", ChunkKind.Malformed)]
    [InlineData("[1,2]", ChunkKind.Malformed)]
    public void Classify_tells_token_bearing_chunks_from_the_rest(string data, ChunkKind expected)
    {
        StreamChunk.Classify(data).Kind.ShouldBe(expected);
    }

    [Fact]
    public void Classify_separates_reasoning_from_content()
    {
        var reasoning = StreamChunk.Classify("""{"choices":[{"delta":{"reasoning_content":"let me think"}}]}""");
        (reasoning.HasReasoning, reasoning.HasContent).ShouldBe((true, false));
        var content = StreamChunk.Classify("""{"choices":[{"delta":{"content":"42"}}]}""");
        (content.HasReasoning, content.HasContent).ShouldBe((false, true));
    }

    [Fact]
    public void Classify_reads_usage_with_cached_tokens_even_on_token_chunks()
    {
        var c = StreamChunk.Classify("""{"choices":[{"text":"a"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":8}}}""");
        c.Kind.ShouldBe(ChunkKind.Token);
        c.Usage.ShouldBe(new Usage(10, 3, 8));
    }

    [Fact]
    public void Classify_takes_the_error_message()
    {
        StreamChunk.Classify("""{"error":{"message":"KV cache full"}}""").ErrorMessage.ShouldBe("KV cache full");
        StreamChunk.Classify("""{"error":"plain"}""").ErrorMessage.ShouldBe("\"plain\"");
    }
}
