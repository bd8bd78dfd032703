using System.Text.Json;
using Tpd.Twin.Server;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class ErrorTests
{
    private static void ShouldBeOpenAiError(string body, int code, string type, string messagePart)
    {
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().ShouldBe(code);
        error.GetProperty("type").GetString().ShouldBe(type);
        error.GetProperty("message").GetString()!.ShouldContain(messagePart);
        error.TryGetProperty("param", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("v1/chat/completions", "{not json", "not valid JSON")]
    [InlineData("v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}]}""", "'model' is required")]
    [InlineData("v1/chat/completions", """{"model":"llama-3.1-8b"}""", "'messages' is required")]
    [InlineData("v1/completions", """{"model":"llama-3.1-8b"}""", "'prompt' is required")]
    [InlineData("v1/completions", """{"model":"llama-3.1-8b","prompt":"x","max_tokens":0}""", "'max_tokens' must be a positive integer, got 0")]
    [InlineData("v1/completions", """{"model":"llama-3.1-8b","prompt":"x","max_tokens":5,"min_tokens":9}""", "min_tokens (9) must be less than or equal to max_tokens (5)")]
    [InlineData("v1/completions", """{"model":"llama-3.1-8b","prompt":[1,-2]}""", "token ids must be non-negative integers; got -2")]
    [InlineData("v1/completions", """{"model":"llama-3.1-8b","prompt":"x","max_tokens":9000}""", "maximum context length is 8192 tokens. However, you requested 9001 tokens (1 in the prompt, 9000 in the completion)")]
    public async Task Bad_requests_get_400_with_an_openai_error_before_any_stream(string path, string body, string message)
    {
        await using var twin = await Twins.StartAsync();
        var (status, text, _, type) = await Http.PostAsync(twin.BaseUri, path, body);

        status.ShouldBe(400);
        type.ShouldBe("application/json");
        ShouldBeOpenAiError(text, 400, "BadRequestError", message);
    }

    [Fact]
    public async Task An_unknown_model_gets_404_as_on_vllm()
    {
        await using var twin = await Twins.StartAsync();
        var (status, text, _, _) = await Http.PostAsync(twin.BaseUri, "v1/chat/completions", """{"model":"gpt-4","messages":[{"role":"user","content":"hi"}],"stream":true}""");

        status.ShouldBe(404);
        ShouldBeOpenAiError(text, 404, "NotFoundError", "The model `gpt-4` does not exist.");
    }

    [Fact]
    public async Task Unknown_paths_and_methods_answer_like_fastapi()
    {
        await using var twin = await Twins.StartAsync();
        using var http = Http.Client(twin.BaseUri);
        using var missing = await http.GetAsync(new Uri("v1/nothing", UriKind.Relative));
        using var wrongMethod = await http.GetAsync(new Uri("v1/completions", UriKind.Relative));

        ((int)missing.StatusCode).ShouldBe(404);
        (await missing.Content.ReadAsStringAsync()).ShouldBe("""{"detail":"Not Found"}""");
        ((int)wrongMethod.StatusCode).ShouldBe(405);
    }

    [Fact]
    public async Task Models_and_health_answer()
    {
        await using var twin = await Twins.StartAsync();
        var models = JsonDocument.Parse(await Http.GetAsync(twin.BaseUri, "v1/models")).RootElement;
        (await Http.GetAsync(twin.BaseUri, "health")).ShouldBe("");

        models.GetProperty("object").GetString().ShouldBe("list");
        models.GetProperty("data")[0].GetProperty("id").GetString().ShouldBe("llama-3.1-8b");
        models.GetProperty("data")[0].GetProperty("max_model_len").GetInt32().ShouldBe(8192);
    }

    [Fact]
    public async Task The_twin_binds_loopback_by_default_on_a_free_port()
    {
        await using var twin = await Twins.StartAsync();

        twin.BaseUri.Host.ShouldBe("127.0.0.1");
        twin.BaseUri.Port.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Invalid_options_are_reported_all_at_once()
    {
        var options = Twins.Options() with { Port = 70000, TimeFactor = -1, ServedModelName = " " };

        var error = await Should.ThrowAsync<ArgumentException>(() => TwinServer.StartAsync(options));

        error.Message.ShouldContain("port 70000 is not a TCP port");
        error.Message.ShouldContain("time factor -1 must be positive");
        error.Message.ShouldContain("served model name is empty");
    }
}
