using System.ClientModel;
using System.Diagnostics;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Server;

/// <summary>Real clients read the streams: the official OpenAI .NET SDK, and curl as a separate process.</summary>
[Collection(nameof(SharedEngine))]
public class StreamingClientTests(LlamaFixture llama)
{
    private ChatClient Chat() => new("tpd-llama", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(llama.BaseUri, "v1") });

    [Fact]
    public async Task The_openai_sdk_streams_chat_and_its_usage_counts_the_streamed_tokens()
    {
        var tokens = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Say something")], new ChatCompletionOptions { MaxOutputTokenCount = 20 }, timeout.Token))
        {
            // One token per chunk, and with this vocabulary every generated token has text (an end token would not).
            tokens += update.ContentUpdate.Count(p => p.Text.Length > 0);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        usage.ShouldNotBeNull("the SDK asks for stream_options.include_usage");
        usage.OutputTokenCount.ShouldBeInRange(1, 20);
        usage.InputTokenCount.ShouldBeGreaterThan(5);
        (tokens == usage.OutputTokenCount || (finish == ChatFinishReason.Stop && tokens == usage.OutputTokenCount - 1)).ShouldBeTrue($"{tokens} streamed tokens, usage says {usage.OutputTokenCount}, finish {finish}");
        finish.ShouldNotBeNull();
    }

    [Fact]
    public async Task The_openai_sdk_completes_chat_without_streaming()
    {
        ChatCompletion completion = await Chat().CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 6 });

        completion.Content[0].Text.ShouldNotBeNullOrWhiteSpace();
        completion.Usage.OutputTokenCount.ShouldBeInRange(1, 6);
        completion.Role.ShouldBe(ChatMessageRole.Assistant);
    }

    [SkippableFact]
    public async Task Curl_reads_vllms_frames_one_token_each_then_usage_then_done()
    {
        Skip.IfNot(File.Exists("/usr/bin/curl"), "needs curl at /usr/bin/curl (`apt-get install curl`); .ci/run installs it");
        var body = """{"model":"tpd-llama","prompt":[1000,1001,1002,1003,1004],"max_tokens":8,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""";

        var output = await Curl(new Uri(llama.BaseUri, "v1/completions"), body);

        output.ShouldEndWith("data: [DONE]\n\n");
        var frames = Http.Frames(output);
        var chunks = Http.TokenChunks(frames);
        chunks.Count.ShouldBe(8);
        chunks.Take(7).ShouldAllBe(c => c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.Null);
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
        chunks.ShouldAllBe(c => c.GetProperty("object").GetString() == "text_completion");
        using var usage = JsonDocument.Parse(frames[^2]);
        usage.RootElement.GetProperty("choices").GetArrayLength().ShouldBe(0);
        usage.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(5);
        usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(8);
        frames.Count.ShouldBe(10);
    }

    [SkippableFact]
    public async Task Curl_reads_a_chat_stream_that_opens_with_the_role_chunk()
    {
        Skip.IfNot(File.Exists("/usr/bin/curl"), "needs curl at /usr/bin/curl (`apt-get install curl`); .ci/run installs it");
        var body = """{"messages":[{"role":"user","content":"hi"}],"max_tokens":4,"ignore_eos":true,"stream":true}""";

        var frames = Http.Frames(await Curl(new Uri(llama.BaseUri, "v1/chat/completions"), body));

        using var role = JsonDocument.Parse(frames[0]);
        role.RootElement.GetProperty("object").GetString().ShouldBe("chat.completion.chunk");
        role.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString().ShouldBe("assistant");
        Http.TokenChunks(frames).Count.ShouldBe(4);
        frames[^1].ShouldBe("[DONE]");
        frames.Count.ShouldBe(6, "role, 4 tokens, [DONE]: no usage chunk unless asked");
    }

    private static async Task<string> Curl(Uri url, string body)
    {
        var start = new ProcessStartInfo("/usr/bin/curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-sN", "--max-time", "20", "-H", "Content-Type: application/json", "-d", body, url.ToString() })
            start.ArgumentList.Add(a);
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        curl.ExitCode.ShouldBe(0, await curl.StandardError.ReadToEndAsync());
        return output;
    }
}
