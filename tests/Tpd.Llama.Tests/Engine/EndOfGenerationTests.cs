using Tpd.Llama.Engine;
using Tpd.Llama.Model;
using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Engine;

/// <summary>
/// End of generation, min_tokens and ignore_eos, on a model whose vocabulary is small enough (408 tokens, two of them
/// ending generation) that a random model stops by itself after about a hundred tokens (in 1,500 all but surely).
/// Sampling is seeded, so each case gives the same tokens every run on the same llama.cpp build and CPU.
/// </summary>
[Collection(nameof(SharedEngine))]
public sealed class EndOfGenerationTests : IAsyncLifetime
{
    private TempModel? _model;
    private LlamaEngine? _engine;

    private LlamaEngine Engine => _engine!;

    public Task InitializeAsync()
    {
        _model = TempModel.Write(new LlamaShape { VocabSize = ByteVocabulary.BaseSize });
        _engine = LlamaEngine.Start(new LlamaEngineOptions { ModelPath = _model.Path, MaxSequences = 2 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
            await _engine.DisposeAsync();
        _model?.Dispose();
    }

    private async Task<(List<GeneratedToken> Tokens, GenerationResult Result)> Generate(int minTokens = 0, bool ignoreEos = false, int maxTokens = 1500)
    {
        var generation = Engine.Submit(new GenerationRequest { PromptTokens = [1, 300, 301], MaxTokens = maxTokens, MinTokens = minTokens, IgnoreEos = ignoreEos, Seed = 3 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tokens = new List<GeneratedToken>();
        await foreach (var t in generation.Tokens.ReadAllAsync(timeout.Token))
            tokens.Add(t);
        return (tokens, await generation.Completion);
    }

    [Fact]
    public async Task Without_ignore_eos_a_sampled_end_token_stops_the_request_and_is_counted_without_text()
    {
        var (tokens, result) = await Generate();

        result.FinishReason.ShouldBe("stop");
        result.CompletionTokens.ShouldBe(tokens.Count);
        result.CompletionTokens.ShouldBeLessThan(1500);
        tokens[^1].Id.ShouldBeOneOf(ByteVocabulary.EosId, ByteVocabulary.ImEndId);
        tokens[^1].Text.ShouldBeEmpty();
        tokens[^1].FinishReason.ShouldBe("stop");
        tokens.SkipLast(1).ShouldAllBe(t => t.Text.Length > 0 && t.FinishReason == null);
    }

    [Fact]
    public async Task Min_tokens_holds_the_end_back_until_that_many_tokens()
    {
        var free = (await Generate()).Result.CompletionTokens;

        var (tokens, result) = await Generate(minTokens: free + 50);

        result.CompletionTokens.ShouldBeGreaterThanOrEqualTo(free + 50);
        tokens.Take(free + 50).ShouldAllBe(t => t.Id != ByteVocabulary.EosId && t.Id != ByteVocabulary.ImEndId);
    }

    [Fact]
    public async Task Ignore_eos_generates_exactly_max_tokens()
    {
        var (tokens, result) = await Generate(ignoreEos: true, maxTokens: 400);

        result.FinishReason.ShouldBe("length");
        tokens.Count.ShouldBe(400);
        tokens.ShouldAllBe(t => t.Id != ByteVocabulary.EosId && t.Id != ByteVocabulary.ImEndId);
    }
}
