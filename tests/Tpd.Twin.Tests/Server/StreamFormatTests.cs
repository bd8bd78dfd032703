using System.Text.Json;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class StreamFormatTests
{
    [Fact]
    public async Task Chat_stream_has_role_chunk_one_token_per_chunk_finish_on_last_usage_chunk_and_done()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (status, body, _, type) = await Http.PostAsync(twin.BaseUri, "v1/chat/completions",
            """{"model":"llama-3.1-8b","messages":[{"role":"user","content":"Hello there, twin!"}],"max_tokens":5,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""");

        status.ShouldBe(200);
        type.ShouldBe("text/event-stream; charset=utf-8");
        var frames = Http.Frames(body);
        frames.Count.ShouldBe(1 + 5 + 1 + 1);
        frames[^1].ShouldBe("[DONE]");

        var chunks = frames.Take(frames.Count - 1).Select(f => JsonDocument.Parse(f).RootElement).ToList();
        var id = chunks[0].GetProperty("id").GetString()!;
        id.ShouldStartWith("chatcmpl-");
        foreach (var c in chunks)
        {
            c.GetProperty("id").GetString().ShouldBe(id);
            c.GetProperty("object").GetString().ShouldBe("chat.completion.chunk");
            c.GetProperty("model").GetString().ShouldBe("llama-3.1-8b");
            c.GetProperty("created").GetInt64().ShouldBeGreaterThan(1_600_000_000);
        }

        frames[0].ShouldEndWith("""
            "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}
            """);
        for (var i = 1; i <= 5; i++)
        {
            var choice = chunks[i].GetProperty("choices")[0];
            choice.GetProperty("delta").GetProperty("content").GetString()!.ShouldStartWith(" ");
            choice.GetProperty("delta").TryGetProperty("role", out _).ShouldBeFalse();
            choice.GetProperty("logprobs").ValueKind.ShouldBe(JsonValueKind.Null);
            var finish = choice.GetProperty("finish_reason");
            if (i < 5)
                finish.ValueKind.ShouldBe(JsonValueKind.Null);
            else
                finish.GetString().ShouldBe("length");
        }

        chunks[6].GetProperty("choices").GetArrayLength().ShouldBe(0);
        var usage = chunks[6].GetProperty("usage");
        usage.GetProperty("completion_tokens").GetInt32().ShouldBe(5);
        // "Hello there, twin!" = Hello, there, ",", twin, "!" (5) + 3 per message + 3 reply priming.
        usage.GetProperty("prompt_tokens").GetInt32().ShouldBe(11);
        usage.GetProperty("total_tokens").GetInt32().ShouldBe(16);
    }

    [Fact]
    public async Task Completion_stream_with_token_ids_counts_them_exactly_and_carries_usage_on_every_chunk_when_continuous()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions",
            """{"model":"llama-3.1-8b","prompt":[101,102,103,104,105,106,107],"max_tokens":4,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}""");

        status.ShouldBe(200);
        var frames = Http.Frames(body);
        frames.Count.ShouldBe(4 + 1 + 1);
        for (var i = 0; i < 4; i++)
        {
            var c = JsonDocument.Parse(frames[i]).RootElement;
            c.GetProperty("id").GetString()!.ShouldStartWith("cmpl-");
            c.GetProperty("object").GetString().ShouldBe("text_completion");
            c.GetProperty("choices")[0].GetProperty("text").GetString()!.ShouldNotBeNullOrWhiteSpace();
            c.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(7);
            c.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(i + 1);
        }

        JsonDocument.Parse(frames[4]).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32().ShouldBe(11);
    }

    [Fact]
    public async Task Chat_role_chunk_carries_zero_completion_usage_when_continuous_as_vllm_does()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (_, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/chat/completions",
            """{"model":"llama-3.1-8b","messages":[{"role":"user","content":"a b"}],"max_tokens":2,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}""");

        var usage = JsonDocument.Parse(Http.Frames(body)[0]).RootElement.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().ShouldBe(8);
        usage.GetProperty("completion_tokens").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Stream_without_usage_option_has_no_usage_chunk()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (_, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions",
            """{"model":"llama-3.1-8b","prompt":"a b c","max_tokens":3,"ignore_eos":true,"stream":true}""");

        body.ShouldNotContain("usage");
        Http.Frames(body).Count.ShouldBe(3 + 1);
    }

    [Fact]
    public async Task Without_ignore_eos_the_length_is_the_seeded_natural_length_capped_by_max_tokens_and_floored_by_min_tokens()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.0005, 0.0001)));
        async Task<(int Tokens, string Finish)> Run(string extra)
        {
            var (_, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions", $$"""{"model":"llama-3.1-8b","prompt":"x","seed":42{{extra}}}""");
            var root = JsonDocument.Parse(body).RootElement;
            return (root.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), root.GetProperty("choices")[0].GetProperty("finish_reason").GetString()!);
        }

        var natural = await Run(",\"max_tokens\":4000");
        natural.Finish.ShouldBe("stop");
        natural.Tokens.ShouldBeLessThan(4000);
        (await Run(",\"max_tokens\":4000")).ShouldBe(natural);
        (await Run($",\"max_tokens\":{natural.Tokens - 1}")).ShouldBe((natural.Tokens - 1, "length"));
        (await Run($",\"max_tokens\":4000,\"min_tokens\":{natural.Tokens + 10}")).Tokens.ShouldBe(natural.Tokens + 10);
    }

    [Fact]
    public async Task Non_streaming_chat_answers_one_openai_object_with_message_and_usage()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (status, body, _, type) = await Http.PostAsync(twin.BaseUri, "v1/chat/completions",
            """{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}],"max_tokens":6,"ignore_eos":true}""");

        status.ShouldBe(200);
        type.ShouldBe("application/json");
        var root = JsonDocument.Parse(body).RootElement;
        root.GetProperty("object").GetString().ShouldBe("chat.completion");
        var message = root.GetProperty("choices")[0].GetProperty("message");
        message.GetProperty("role").GetString().ShouldBe("assistant");
        message.GetProperty("content").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(6);
        root.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
        root.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(6);
    }

    [Fact]
    public async Task A_list_of_prompts_streams_one_choice_per_prompt()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var (_, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions",
            """{"model":"llama-3.1-8b","prompt":["one two","three four five"],"max_tokens":3,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""");

        var frames = Http.Frames(body);
        var chunks = frames.Take(frames.Count - 2).Select(f => JsonDocument.Parse(f).RootElement.GetProperty("choices")[0].GetProperty("index").GetInt32()).ToList();
        chunks.Count(i => i == 0).ShouldBe(3);
        chunks.Count(i => i == 1).ShouldBe(3);
        JsonDocument.Parse(frames[^2]).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(5);
    }
}
