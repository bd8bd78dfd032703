using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Server;

/// <summary>The OpenAI/vLLM surface: completions, chat, tokenize, models, version, and 400s for bad input.</summary>
[Collection(nameof(SharedEngine))]
public class ApiTests(LlamaFixture llama)
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(600)]
    public async Task A_token_id_prompt_counts_exactly_its_ids_as_prompt_tokens(int length)
    {
        using var http = Http.Client(llama.BaseUri);
        var ids = string.Join(',', Enumerable.Range(1000, length));

        var (status, body) = await Http.PostAsync(http, "v1/completions", $$"""{"model":"tpd-llama","prompt":[{{ids}}],"max_tokens":3,"ignore_eos":true}""");

        status.ShouldBe(200);
        body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(length);
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(3);
        body.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
    }

    [Fact]
    public async Task An_out_of_vocabulary_id_is_a_400_with_an_openai_error_object()
    {
        using var http = Http.Client(llama.BaseUri);

        var (status, body) = await Http.PostAsync(http, "v1/completions", """{"model":"tpd-llama","prompt":[1000,32000],"max_tokens":3}""");

        status.ShouldBe(400);
        var error = body.GetProperty("error");
        error.GetProperty("message").GetString().ShouldBe("Token id 32000 is out of vocabulary (the vocabulary has 32000 tokens, ids 0 to 31999)");
        error.GetProperty("type").GetString().ShouldBe("BadRequestError");
        error.GetProperty("param").GetString().ShouldBe("prompt");
        error.GetProperty("code").GetInt32().ShouldBe(400);
    }

    [Theory]
    [InlineData("v1/completions", """{"prompt": [1, 2""", "the request body is not valid JSON")]
    [InlineData("v1/completions", """[1, 2]""", "the request body must be a JSON object.")]
    [InlineData("v1/completions", """{"max_tokens": 3}""", "'prompt' is required")]
    [InlineData("v1/completions", """{"prompt": [5, -1]}""", "token ids must be non-negative integers; got -1.")]
    [InlineData("v1/completions", """{"prompt": []}""", "'prompt' must be a non-empty text or list of token ids")]
    [InlineData("v1/completions", """{"prompt": ["a", "b"]}""", "this server takes one prompt per request; got a list of 2.")]
    [InlineData("v1/completions", """{"prompt": "hi", "max_tokens": 0}""", "'max_tokens' must be a positive integer, got 0.")]
    [InlineData("v1/completions", """{"prompt": "hi", "max_tokens": "8"}""", "'max_tokens' must be a positive integer, got \"8\".")]
    [InlineData("v1/completions", """{"prompt": [1, "2"]}""", "token ids must be non-negative integers; got \"2\".")]
    [InlineData("v1/completions", """{"prompt": [1, 2.5]}""", "token ids must be non-negative integers; got 2.5.")]
    [InlineData("v1/completions", """{"prompt": "hi", "seed": "x", "temperature": 1}""", "'seed' must be an integer, got \"x\".")]
    [InlineData("v1/completions", """{"prompt": "hi", "temperature": "hot"}""", "'temperature' must be a number from 0 to 2, got \"hot\".")]
    [InlineData("v1/completions", """{"prompt": "hi", "min_tokens": [1]}""", "'min_tokens' must be a non-negative integer, got [1].")]
    [InlineData("v1/completions", """{"prompt": "hi", "n": "1"}""", "'n' is \"1\"; this server generates one choice per request (n = 1).")]
    [InlineData("v1/completions", """{"prompt": "hi", "max_tokens": 2048}""", "This model's maximum context length is 2048 tokens. However, you requested 2051 tokens")]
    [InlineData("v1/completions", """{"prompt": "hi", "max_tokens": 4, "min_tokens": 5}""", "min_tokens (5) must be less than or equal to max_tokens (4).")]
    [InlineData("v1/completions", """{"prompt": "hi", "temperature": -1}""", "'temperature' must be a number from 0 to 2, got -1.")]
    [InlineData("v1/completions", """{"prompt": "hi", "stream": "yes"}""", "'stream' must be true or false.")]
    [InlineData("v1/completions", """{"prompt": "hi", "n": 2}""", "'n' is 2; this server generates one choice per request (n = 1).")]
    [InlineData("v1/chat/completions", """{"messages": "hi"}""", "'messages' must be a non-empty list")]
    [InlineData("v1/chat/completions", """{"messages": [{"content": "hi"}]}""", "each message needs a string 'role'")]
    [InlineData("v1/chat/completions", """{"prompt": "hi"}""", "'messages' is required")]
    [InlineData("tokenize", """{"text": "hi"}""", "give 'prompt' (a text) or 'messages'")]
    [InlineData("tokenize", """{"prompt": "hi", "add_special_tokens": 3}""", "'add_special_tokens' must be true or false.")]
    [InlineData("detokenize", """{"tokens": [1, 99999]}""", "Token id 99999 is out of vocabulary")]
    [InlineData("detokenize", """{"tokens": ["a"]}""", "Token id \"a\" is out of vocabulary")]
    public async Task Bad_input_is_a_400_with_the_problem_never_a_500(string path, string request, string message)
    {
        using var http = Http.Client(llama.BaseUri);

        var (status, body) = await Http.PostAsync(http, path, request);

        status.ShouldBe(400);
        body.GetProperty("error").GetProperty("message").GetString().ShouldStartWith(message);
        body.GetProperty("error").GetProperty("type").GetString().ShouldBe("BadRequestError");
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_as_on_vllm()
    {
        using var http = Http.Client(llama.BaseUri);

        var (status, body) = await Http.PostAsync(http, "v1/completions", """{"model":"gpt-9","prompt":"hi","max_tokens":2}""");

        status.ShouldBe(404);
        body.GetProperty("error").GetProperty("message").GetString().ShouldBe("The model `gpt-9` does not exist.");
    }

    [Fact]
    public async Task Tokenize_answers_vllms_shape_and_a_text_prompt_uses_exactly_those_tokens()
    {
        using var http = Http.Client(llama.BaseUri);
        const string text = "The quick brown fox";

        var (_, tokens) = await Http.PostAsync(http, "tokenize", $$"""{"prompt":"{{text}}"}""");
        var (_, completion) = await Http.PostAsync(http, "v1/completions", $$"""{"prompt":"{{text}}","max_tokens":2}""");

        var count = tokens.GetProperty("count").GetInt32();
        tokens.GetProperty("tokens").GetArrayLength().ShouldBe(count);
        tokens.GetProperty("tokens")[0].GetInt32().ShouldBe(1, "a text prompt starts with BOS, as Llama tokenizers add it");
        tokens.GetProperty("max_model_len").GetInt32().ShouldBe(2048);
        completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(count);
    }

    [Fact]
    public async Task Tokenize_of_messages_counts_the_chat_template_and_chat_usage_agrees()
    {
        using var http = Http.Client(llama.BaseUri);
        const string messages = """[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"}]""";

        var (_, tokens) = await Http.PostAsync(http, "tokenize", $$"""{"messages":{{messages}}}""");
        var (status, chat) = await Http.PostAsync(http, "v1/chat/completions", $$"""{"messages":{{messages}},"max_tokens":2}""");
        var (_, text) = await Http.PostAsync(http, "detokenize", $$"""{"tokens":{{tokens.GetProperty("tokens").GetRawText()}}}""");

        status.ShouldBe(200);
        chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(tokens.GetProperty("count").GetInt32());
        chat.GetProperty("object").GetString().ShouldBe("chat.completion");
        chat.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        // ChatML: the markers are special tokens, left out of the decoded text.
        text.GetProperty("prompt").GetString()!.ShouldContain("Be brief.");
        text.GetProperty("prompt").GetString()!.ShouldNotContain("<|im_start|>");
    }

    [Fact]
    public async Task Models_and_version_name_the_model_and_the_llama_cpp_build()
    {
        using var http = Http.Client(llama.BaseUri);

        var models = await Http.GetAsync(http, "v1/models");
        var version = await Http.GetAsync(http, "version");

        models.GetProperty("data")[0].GetProperty("id").GetString().ShouldBe("tpd-llama");
        models.GetProperty("data")[0].GetProperty("max_model_len").GetInt32().ShouldBe(2048);
        version.GetProperty("version").GetString().ShouldBe("0.30.0");
        version.GetProperty("ggml_commit").GetString().ShouldNotBeNullOrEmpty();
        version.GetProperty("cpu_variant").GetString().ShouldBeOneOf("noavx", "avx", "avx2", "avx512");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_temperature_0_is_greedy()
    {
        using var http = Http.Client(llama.BaseUri);
        async Task<string> Text(string extra)
        {
            var (_, body) = await Http.PostAsync(http, "v1/completions", $$"""{"prompt":[1000,1001,1002],"max_tokens":8,"ignore_eos":true{{extra}}}""");
            return body.GetProperty("choices")[0].GetProperty("text").GetString()!;
        }

        (await Text(",\"seed\":7")).ShouldBe(await Text(",\"seed\":7"));
        (await Text(",\"seed\":7")).ShouldNotBe(await Text(",\"seed\":8"));
        (await Text(",\"temperature\":0")).ShouldBe(await Text(",\"temperature\":0,\"seed\":99"));
    }

    [Fact]
    public async Task A_text_prompt_with_a_non_ascii_character_round_trips_through_the_byte_tokens()
    {
        using var http = Http.Client(llama.BaseUri);

        var (_, tokens) = await Http.PostAsync(http, "tokenize", """{"prompt":"naïve café ☕","add_special_tokens":false}""");
        var (_, text) = await Http.PostAsync(http, "detokenize", $$"""{"tokens":{{tokens.GetProperty("tokens").GetRawText()}}}""");

        text.GetProperty("prompt").GetString().ShouldBe(" naïve café ☕");
        tokens.GetProperty("count").GetInt32().ShouldBeGreaterThan(12, "ï, é and ☕ are not pieces: they go as 2, 2 and 3 byte tokens");
    }
}
