using Tpd.Bench.Http;

namespace Tpd.Bench.Tests.Http;

public class RequestBodyTests
{
    private static readonly EndpointOptions Completions = new() { BaseUri = new Uri("http://127.0.0.1:8000/"), Model = "llama" };
    private static readonly BenchRequest Request = new() { PromptTokenIds = [5, 6], PromptText = "a b", MaxTokens = 8, IgnoreEos = true, MinTokens = 8 };

    private static string Body(BenchRequest r, EndpointOptions e, ServerCapabilities c) => RequestBody.Describe(RequestBody.Write(r, e, c));

    [Fact]
    public void Write_sends_token_ids_and_every_length_control_when_supported()
    {
        Body(Request, Completions, ServerCapabilities.All).ShouldBe(
            """{"model":"llama","prompt":[5,6],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true},"ignore_eos":true,"min_tokens":8}""");
    }

    [Fact]
    public void Write_leaves_out_what_the_server_rejected()
    {
        var none = new ServerCapabilities { UsageChunk = false, TokenIdPrompts = false, IgnoreEos = false, MinTokens = false };
        Body(Request, Completions, none).ShouldBe("""{"model":"llama","prompt":"a b","max_tokens":8,"stream":true}""");
    }

    [Fact]
    public void Write_sends_chat_messages_on_the_chat_api()
    {
        Body(Request with { IgnoreEos = false, MinTokens = null }, Completions with { Api = ApiKind.ChatCompletions }, ServerCapabilities.All).ShouldBe(
            """{"model":"llama","messages":[{"role":"user","content":"a b"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}""");
    }

    [Fact]
    public void RequestUri_appends_the_api_path()
    {
        Completions.RequestUri.ToString().ShouldBe("http://127.0.0.1:8000/v1/completions");
        (Completions with { Api = ApiKind.ChatCompletions }).RequestUri.ToString().ShouldBe("http://127.0.0.1:8000/v1/chat/completions");
    }
}
