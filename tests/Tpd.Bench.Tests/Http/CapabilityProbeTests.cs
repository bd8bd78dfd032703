using Tpd.Bench.Http;
using Tpd.Bench.Streaming;
using Tpd.TestKit.Fakes;

namespace Tpd.Bench.Tests.Http;

public class CapabilityProbeTests
{
    private static async Task<ProbeResult> Probe(FakeOpenAiServer server, ApiKind api = ApiKind.Completions)
    {
        var endpoint = new EndpointOptions { BaseUri = server.BaseUri, Model = "m", Api = api, RequestTimeout = TimeSpan.FromSeconds(10) };
        using var client = new OpenAiStreamClient(endpoint, RunClock.From(TimeProvider.System));
        return await CapabilityProbe.ProbeAsync(client, endpoint);
    }

    [Fact]
    public async Task ProbeAsync_finds_everything_on_a_full_server()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.Zero, TokenDelay = TimeSpan.Zero });
        var result = await Probe(server);
        result.Capabilities.ShouldBe(ServerCapabilities.All);
        result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task ProbeAsync_falls_back_with_a_warning_for_each_rejected_feature()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new()
        {
            FirstTokenDelay = TimeSpan.Zero,
            TokenDelay = TimeSpan.Zero,
            RejectStreamOptions = true,
            RejectTokenIds = true,
            RejectIgnoreEos = true,
            RejectMinTokens = true,
        });
        var result = await Probe(server);
        result.Capabilities.ShouldBe(new ServerCapabilities { UsageChunk = false, TokenIdPrompts = false, IgnoreEos = false, MinTokens = false });
        result.Warnings.Count.ShouldBe(4);
        result.Warnings[0].ShouldStartWith("the server rejected stream_options.include_usage (HTTP 400:");
        result.Warnings[1].ShouldContain("token-id prompts");
        result.Warnings[2].ShouldContain("ignore_eos");
        result.Warnings[3].ShouldContain("min_tokens");
    }

    [Fact]
    public async Task ProbeAsync_warns_when_the_usage_chunk_never_comes_and_when_ignore_eos_is_not_honoured()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.Zero, TokenDelay = TimeSpan.Zero, NoUsage = true });
        var result = await Probe(server);
        result.Capabilities.UsageChunk.ShouldBeFalse();
        result.Warnings.ShouldHaveSingleItem().ShouldContain("no usage chunk despite stream_options.include_usage");
    }

    [Fact]
    public async Task ProbeAsync_notes_that_chat_prompt_lengths_are_approximate()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.Zero, TokenDelay = TimeSpan.Zero });
        var result = await Probe(server, ApiKind.ChatCompletions);
        result.Capabilities.TokenIdPrompts.ShouldBeFalse();
        result.Warnings.ShouldHaveSingleItem().ShouldContain("use the completions API for exact lengths");
    }

    [Fact]
    public async Task ProbeAsync_stops_with_what_to_check_when_nothing_streams()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { Status = 404 });
        var ex = await Should.ThrowAsync<BenchSetupException>(() => Probe(server));
        ex.Message.ShouldContain("did not stream a completion for model 'm': HTTP 404");
        ex.Message.ShouldContain("check the URL, the model name");
    }
}
