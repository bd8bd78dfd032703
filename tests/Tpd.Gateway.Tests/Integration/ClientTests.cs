using System.ClientModel;
using System.Diagnostics;
using OpenAI;
using OpenAI.Chat;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Tests.Integration;

public sealed class ClientTests
{
    private const string Key = "sk-sdk-test-key";

    [Fact]
    public async Task The_official_OpenAI_SDK_streams_and_completes_through_the_gateway()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")),
            $"security:\n  api_keys: ['{KeyHash.Of(Key).Text}']\n");
        var client = new ChatClient("fake-model", new ApiKeyCredential(Key), new OpenAIClientOptions { Endpoint = new Uri(g.Server.BaseUri, "v1") });

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 6 }))
        {
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            usage ??= update.Usage;
        }
        ChatCompletion whole = await client.CompleteChatAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });

        text.ToString().ShouldBe("tok0 tok1 tok2 tok3 tok4 tok5 ");
        usage.ShouldNotBeNull(); // the SDK asks for usage itself, so the gateway keeps the chunk
        usage.OutputTokenCount.ShouldBe(6);
        whole.Content[0].Text.ShouldBe("tok tok tok ");
        whole.Usage.OutputTokenCount.ShouldBe(3);
    }

    [Fact]
    public async Task The_SDK_sees_a_401_as_an_error_with_a_wrong_key()
    {
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")),
            $"security:\n  api_keys: ['{KeyHash.Of(Key).Text}']\n");
        var client = new ChatClient("fake-model", new ApiKeyCredential("sk-wrong"), new OpenAIClientOptions { Endpoint = new Uri(g.Server.BaseUri, "v1"), NetworkTimeout = TimeSpan.FromSeconds(5) });

        var e = await Should.ThrowAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hello")]));
        e.Status.ShouldBe(401);
    }

    [SkippableFact]
    public async Task Curl_streams_through_the_gateway()
    {
        Skip.IfNot(File.Exists("/usr/bin/curl"), "needs curl at /usr/bin/curl (`apt-get install curl`); .ci/run installs it");
        await using var g = await GatewayHarness.StartAsync(await Workers.StartAsync(new WorkerSpec("w0")));
        var psi = new ProcessStartInfo("/usr/bin/curl", ["-sS", "-N", "--max-time", "10", "-H", "Content-Type: application/json",
            "-d", GatewayHarness.Chat(maxTokens: 4), new Uri(g.Server.BaseUri, "v1/chat/completions").ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var curl = Process.Start(psi)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();

        curl.ExitCode.ShouldBe(0);
        output.ShouldContain("\"content\":\"tok3 \"");
        output.TrimEnd().ShouldEndWith("data: [DONE]");
    }
}
