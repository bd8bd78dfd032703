using System.ClientModel;
using System.Diagnostics;
using OpenAI;
using OpenAI.Chat;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class ClientCompatibilityTests
{
    private static OpenAIClientOptions Options(Uri baseUri) => new() { Endpoint = new Uri(baseUri, "v1") };

    [Fact]
    public async Task The_official_openai_sdk_streams_chat_and_gets_usage()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var client = new ChatClient("llama-3.1-8b", new ApiKeyCredential("unused"), Options(twin.BaseUri));
        var text = "";
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say something")], new ChatCompletionOptions { MaxOutputTokenCount = 12 }))
        {
            foreach (var part in update.ContentUpdate)
                text += part.Text;
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        usage.ShouldNotBeNull();
        usage.OutputTokenCount.ShouldBeGreaterThan(0);
        usage.OutputTokenCount.ShouldBeLessThanOrEqualTo(12);
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(usage.OutputTokenCount);
        finish.ShouldNotBeNull();
    }

    [Fact]
    public async Task The_official_openai_sdk_completes_chat_without_streaming()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var client = new ChatClient("llama-3.1-8b", new ApiKeyCredential("unused"), Options(twin.BaseUri));

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        completion.Content[0].Text.ShouldNotBeNullOrWhiteSpace();
        completion.Usage.OutputTokenCount.ShouldBeLessThanOrEqualTo(5);
    }

    [SkippableFact]
    public async Task Curl_streams_and_ends_with_done()
    {
        Skip.IfNot(File.Exists("/usr/bin/curl"), "needs curl at /usr/bin/curl (`apt-get install curl`); .ci/run installs it");
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.002, 0.001)));
        var start = new ProcessStartInfo("/usr/bin/curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-sN", "--max-time", "10", "-H", "Content-Type: application/json", "-d", """{"model":"llama-3.1-8b","prompt":"hi","max_tokens":4,"ignore_eos":true,"stream":true}""", new Uri(twin.BaseUri, "v1/completions").ToString() })
            start.ArgumentList.Add(a);

        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();

        curl.ExitCode.ShouldBe(0);
        output.ShouldEndWith("data: [DONE]\n\n");
        Http.Frames(output).Count.ShouldBe(5);
    }
}
