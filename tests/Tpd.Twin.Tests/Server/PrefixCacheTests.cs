using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Tpd.Model.Roofline;
using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;
using Tpd.Twin.OpenAi;
using Tpd.Twin.Server;
using Tpd.Twin.Tests.Support;
using Tpd.Twin.Text;

namespace Tpd.Twin.Tests.Server;

/// <summary>
/// The twin keys KV blocks by prompt content as vLLM does, so repeated and extended prompts hit the prefix cache:
/// usage.prompt_tokens_details.cached_tokens (with --enable-prompt-tokens-details), /metrics and TTFT show it.
/// </summary>
[Collection(WallClock.Name)]
public class PrefixCacheTests
{
    private const int Block = 16;

    // Ten times faster than real time: the hit tests care about counts, not latency.
    private static TwinOptions Options(bool details = true, double timeFactor = 10) =>
        Twins.Options(timeFactor: timeFactor) with { EnablePromptTokensDetails = details };

    private static string Ids(IEnumerable<int> ids) => "[" + string.Join(",", ids) + "]";

    private static string Completion(string prompt, int maxTokens = 4, string extra = "") =>
        $$"""{"model":"llama-3.1-8b","prompt":{{prompt}},"max_tokens":{{maxTokens}},"ignore_eos":true{{extra}}}""";

    private static string Words(string prefix, int count) => string.Join(" ", Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Expected hit: every full block of the prompt that the earlier request computed, never the block holding the last prompt token (vLLM recomputes it for the logits).</summary>
    private static int Hit(int sharedTokens, int promptTokens) => Block * Math.Min(sharedTokens / Block, (promptTokens - 1) / Block);

    private sealed record Answer(int PromptTokens, int? CachedTokens, JsonElement Usage, string Text);

    private static async Task<Answer> SendAsync(TwinHost twin, string path, string json)
    {
        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, path, json);
        status.ShouldBe(200, body);
        var root = JsonDocument.Parse(body).RootElement;
        var usage = root.GetProperty("usage");
        int? cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? details.GetProperty("cached_tokens").GetInt32()
            : null;
        var choice = root.GetProperty("choices")[0];
        var text = choice.TryGetProperty("message", out var message) ? message.GetProperty("content").GetString()! : choice.GetProperty("text").GetString()!;
        return new Answer(usage.GetProperty("prompt_tokens").GetInt32(), cached, usage.Clone(), text);
    }

    private static async Task<MetricsScrape> MetricsAsync(TwinHost twin) => PrometheusTextParser.Parse(await Http.GetAsync(twin.BaseUri, "metrics"));

    [Fact]
    public async Task Identical_token_id_prompts_hit_every_full_block_but_the_one_holding_the_last_token()
    {
        await using var twin = await Twins.StartAsync(Options());
        var prompt = Ids(Enumerable.Range(1000, 2048));

        var first = await SendAsync(twin, "v1/completions", Completion(prompt));
        var second = await SendAsync(twin, "v1/completions", Completion(prompt));

        first.CachedTokens.ShouldBeNull();
        first.Usage.GetProperty("prompt_tokens_details").ValueKind.ShouldBe(JsonValueKind.Null);
        second.PromptTokens.ShouldBe(2048);
        second.CachedTokens.ShouldBe(2032);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)]
    public async Task A_prompt_sharing_its_first_k_full_blocks_and_a_few_tokens_more_hits_exactly_k_blocks(int k)
    {
        await using var twin = await Twins.StartAsync(Options());
        var shared = (k * Block) + 5;
        var baseIds = Enumerable.Range(1000, 512).ToList();
        var variant = baseIds.Take(shared).Concat(Enumerable.Range(90_000, 512 - shared)).ToList();

        await SendAsync(twin, "v1/completions", Completion(Ids(baseIds)));
        var answer = await SendAsync(twin, "v1/completions", Completion(Ids(variant)));

        answer.CachedTokens.ShouldBe(k * Block);
    }

    [Fact]
    public async Task Different_prompts_find_nothing_even_when_they_share_tokens_at_other_positions()
    {
        await using var twin = await Twins.StartAsync(Options());
        var ids = Enumerable.Range(1000, 512).ToList();

        await SendAsync(twin, "v1/completions", Completion(Ids(ids)));
        var other = await SendAsync(twin, "v1/completions", Completion(Ids(Enumerable.Range(5000, 512))));
        var shifted = await SendAsync(twin, "v1/completions", Completion(Ids(ids.Skip(1).Append(7))));
        var firstTokenChanged = await SendAsync(twin, "v1/completions", Completion(Ids(ids.Skip(1).Prepend(999_999))));

        other.CachedTokens.ShouldBeNull();
        shifted.CachedTokens.ShouldBeNull();
        firstTokenChanged.CachedTokens.ShouldBeNull();
    }

    [Fact]
    public async Task Text_prompts_hit_on_the_same_text_but_text_never_matches_token_ids()
    {
        await using var twin = await Twins.StartAsync(Options());
        var text = JsonSerializer.Serialize(Words("w", 300) + ", the end.");
        var respaced = JsonSerializer.Serialize(Words("w", 300).Replace(" ", "  ", StringComparison.Ordinal) + " , the end .");
        var numbers = JsonSerializer.Serialize(string.Join(" ", Enumerable.Range(1, 400)));

        var first = await SendAsync(twin, "v1/completions", Completion(text));
        var again = await SendAsync(twin, "v1/completions", Completion(text));
        var spaced = await SendAsync(twin, "v1/completions", Completion(respaced));
        await SendAsync(twin, "v1/completions", Completion(numbers));
        var ids = await SendAsync(twin, "v1/completions", Completion(Ids(Enumerable.Range(1, 400))));

        first.PromptTokens.ShouldBe(300 + 4);
        first.CachedTokens.ShouldBeNull();
        again.CachedTokens.ShouldBe(Hit(304, 304));
        // The token model ignores white space, so the same words and marks are the same tokens.
        spaced.CachedTokens.ShouldBe(Hit(304, 304));
        // Without a tokenizer the twin cannot know which ids a text would have; it never guesses a match.
        ids.PromptTokens.ShouldBe(400);
        ids.CachedTokens.ShouldBeNull();
    }

    [Fact]
    public async Task A_chat_turn_that_carries_the_reply_back_hits_the_earlier_prompt_and_the_generated_blocks()
    {
        await using var twin = await Twins.StartAsync(Options());
        var system = Words("s", 200);
        var user1 = Words("u", 50);
        string Turn1(string sys) => $$"""{"model":"llama-3.1-8b","messages":[{"role":"system","content":"{{sys}}"},{"role":"user","content":"{{user1}}"}],"max_tokens":40,"ignore_eos":true}""";

        var turn1 = await SendAsync(twin, "v1/chat/completions", Turn1(system));
        var turn2 = await SendAsync(twin, "v1/chat/completions", $$"""
            {"model":"llama-3.1-8b","messages":[{"role":"system","content":"{{system}}"},{"role":"user","content":"{{user1}}"},
             {"role":"assistant","content":{{JsonSerializer.Serialize(turn1.Text)}}},{"role":"user","content":"{{Words("v", 30)}}"}],"max_tokens":8,"ignore_eos":true}
            """);
        var otherSystem = await SendAsync(twin, "v1/chat/completions", Turn1("x" + system));

        // 3 priming + 3 per message + words.
        turn1.PromptTokens.ShouldBe(3 + 3 + 200 + 3 + 50);
        turn2.PromptTokens.ShouldBe(turn1.PromptTokens + 40 + 3 + 3 + 30);
        // Turn 1 computed KV for its prompt and all but its last generated token; turn 2 repeats all of them.
        turn2.CachedTokens.ShouldBe(Hit(turn1.PromptTokens + 40 - 1, turn2.PromptTokens));
        turn2.CachedTokens!.Value.ShouldBeGreaterThan(turn1.PromptTokens);
        otherSystem.CachedTokens.ShouldBeNull();
    }

    [Fact]
    public async Task A_cache_salt_keeps_requests_with_other_salts_from_each_others_blocks()
    {
        await using var twin = await Twins.StartAsync(Options());
        var prompt = Ids(Enumerable.Range(1000, 256));

        await SendAsync(twin, "v1/completions", Completion(prompt, extra: ""","cache_salt":"tenant-a" """));
        var otherSalt = await SendAsync(twin, "v1/completions", Completion(prompt, extra: ""","cache_salt":"tenant-b" """));
        var noSalt = await SendAsync(twin, "v1/completions", Completion(prompt));
        var sameSalt = await SendAsync(twin, "v1/completions", Completion(prompt, extra: ""","cache_salt":"tenant-a" """));
        var (status, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions", Completion(prompt, extra: ""","cache_salt":7"""));

        otherSalt.CachedTokens.ShouldBeNull();
        noSalt.CachedTokens.ShouldBeNull();
        sameSalt.CachedTokens.ShouldBe(240);
        status.ShouldBe(400);
        body.ShouldContain("cache_salt");
    }

    [Fact]
    public async Task A_stream_reports_cached_tokens_in_its_usage_chunk_only_with_prompt_tokens_details_on_as_vllm()
    {
        var prompt = Ids(Enumerable.Range(1000, 300));
        var stream = Completion(prompt, extra: ""","stream":true,"stream_options":{"include_usage":true}""");
        await using var on = await Twins.StartAsync(Options(details: true));
        await using var off = await Twins.StartAsync(Options(details: false));

        async Task<JsonElement> UsageAsync(TwinHost twin)
        {
            var (_, body, _, _) = await Http.PostAsync(twin.BaseUri, "v1/completions", stream);
            var frames = Http.Frames(body);
            return JsonDocument.Parse(frames[^2]).RootElement.GetProperty("usage").Clone();
        }

        var firstOn = await UsageAsync(on);
        var secondOn = await UsageAsync(on);
        await UsageAsync(off);
        var secondOff = await UsageAsync(off);
        var wholeOff = await SendAsync(off, "v1/completions", Completion(prompt));

        firstOn.TryGetProperty("prompt_tokens_details", out _).ShouldBeFalse();
        secondOn.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32().ShouldBe(288);
        secondOff.TryGetProperty("prompt_tokens_details", out _).ShouldBeFalse();
        wholeOff.Usage.TryGetProperty("prompt_tokens_details", out _).ShouldBeFalse();
        // The cache works either way: /metrics counts the hits.
        (await MetricsAsync(off)).Sum("vllm:prefix_cache_hits_total").ShouldBe(2 * 288);
    }

    [Fact]
    public async Task Metrics_count_prefix_cache_queries_and_hits_in_tokens_with_vllms_names_and_types()
    {
        await using var twin = await Twins.StartAsync(Options());
        var answers = new List<Answer>();
        foreach (var ids in new[] { Enumerable.Range(1000, 700), Enumerable.Range(1000, 700), Enumerable.Range(1000, 100).Concat(Enumerable.Range(9000, 60)), Enumerable.Range(5000, 33) })
            answers.Add(await SendAsync(twin, "v1/completions", Completion(Ids(ids))));

        var text = await Http.GetAsync(twin.BaseUri, "metrics");
        var scrape = PrometheusTextParser.Parse(text);

        answers.Select(a => a.CachedTokens ?? 0).ShouldBe([0, 688, 96, 0]);
        scrape.Sum("vllm:prefix_cache_queries_total").ShouldBe(answers.Sum(a => a.PromptTokens));
        scrape.Sum("vllm:prefix_cache_hits_total").ShouldBe(answers.Sum(a => a.CachedTokens ?? 0));
        scrape.Sum("vllm:gpu_prefix_cache_hits_total").ShouldBe(scrape.Sum("vllm:prefix_cache_hits_total"));
        scrape.Sum("vllm:gpu_prefix_cache_queries_total").ShouldBe(scrape.Sum("vllm:prefix_cache_queries_total"));
        // HELP and TYPE lines exactly as in the vLLM exposition the repository keeps (tests/fixtures/metrics).
        var fixture = Fixtures.Read("metrics/datadog_vllm_metrics.txt").Split('\n');
        foreach (var name in new[] { "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total" })
        {
            foreach (var kind in new[] { "# HELP ", "# TYPE " })
            {
                var line = fixture.Single(l => l.StartsWith(kind + name + " ", StringComparison.Ordinal));
                text.ShouldContain(line + "\n");
            }
        }
    }

    [Fact]
    public async Task A_repeated_2048_token_prompt_gets_its_first_token_at_the_roofline_of_the_uncached_remainder()
    {
        // Slow motion (every latency x10) so the difference is hundreds of milliseconds at the client, far above a
        // loaded machine's scheduling delays; the server-side TTFT (vLLM's histogram, from arrival) is exact.
        const double factor = 0.1;
        var cost = Twins.Roofline();
        await using var twin = await Twins.StartAsync(Options(timeFactor: factor) with { Cost = cost });
        using var http = Http.Client(twin.BaseUri);
        var request = Completion(Ids(Enumerable.Range(1000, 2048)), extra: ""","stream":true""");

        var (uncachedClient, uncachedServer) = await TimedAsync(twin, http, request);
        var (cachedClient, cachedServer) = await TimedAsync(twin, http, request);

        var whole = cost.StepTime(StepShape.Prefill(2048)).Seconds / factor;
        // 2,032 tokens come from the cache; the step computes the last 16, attending to all 2,048.
        const int cached = 2032, rest = 16;
        var remainder = cost.StepTime(new StepShape(rest, 1, ((double)rest * cached) + (rest * (rest + 1) / 2.0), cached, 0, 0)).Seconds / factor;
        uncachedServer.ShouldBe(whole, whole * 0.01);
        cachedServer.ShouldBe(remainder, remainder * 0.01);
        remainder.ShouldBeLessThan(whole / 4);
        var shown = FormattableString.Invariant($"client TTFT {uncachedClient * 1000:F0} ms uncached, {cachedClient * 1000:F0} ms cached; roofline {whole * 1000:F0} / {remainder * 1000:F0} ms");
        uncachedClient.ShouldBeGreaterThanOrEqualTo(whole * 0.95, shown);
        cachedClient.ShouldBeLessThan(uncachedClient / 2, shown);
    }

    /// <summary>TTFT of one streamed request at the client (send to first token frame) and at the server (the delta of vLLM's TTFT histogram).</summary>
    private static async Task<(double Client, double Server)> TimedAsync(TwinHost twin, HttpClient http, string json)
    {
        var before = (await MetricsAsync(twin)).Histogram("vllm:time_to_first_token_seconds")!;
        var clock = Stopwatch.StartNew();
        double? first = null;
        using (var response = await Http.OpenAsync(http, "v1/completions", json))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (first is null && line.StartsWith("data: {", StringComparison.Ordinal))
                    first = clock.Elapsed.TotalSeconds;
            }
        }

        var after = (await MetricsAsync(twin)).Histogram("vllm:time_to_first_token_seconds")!;
        (after.Count - before.Count).ShouldBe(1);
        return (first!.Value, after.Sum - before.Sum);
    }

    [Fact]
    public void The_block_keys_read_a_text_into_as_many_tokens_as_the_twin_counts()
    {
        var chars = Gen.Elements('a', 'Z', '7', ' ', '\n', ',', '!', 'é', '字', '\t', '-');
        var texts = Gen.ArrayOf(chars).Select(a => new string(a)).ToArbitrary();
        Prop.ForAll(texts, text =>
        {
            var keys = new BlockKeyBuilder(4);
            keys.AddText(text);
            keys.Tokens.ShouldBe(PromptTokens.Count(text));
            keys.FullBlocks.ShouldBe(keys.Tokens / 4);
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Parsed_chats_and_prompts_have_keys_for_exactly_their_counted_tokens()
    {
        string[] bodies =
        [
            """{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi, there!"},{"type":"image_url"}]},{"role":"assistant"}]}""",
            """{"model":"m","prompt":["one two, three", "   ", [1,2,3,4,5]]}""",
        ];
        foreach (var body in bodies)
        {
            var request = TwinRequest.Parse(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(body)), body.Contains("messages", StringComparison.Ordinal), 2, out var error);

            error.ShouldBeNull();
            request!.Content!.Select(k => k.Tokens).ShouldBe(request.Prompts);
            request.Content!.Select(k => k.FullBlocks).ShouldBe(request.Prompts.Select(p => p / 2));
        }
    }

    [Fact]
    public void Block_keys_chain_so_equal_keys_mean_equal_prefixes_and_have_the_sign_bit_set()
    {
        long[] Keys(params int[] ids)
        {
            var b = new BlockKeyBuilder(2);
            foreach (var id in ids)
                b.Add(TokenIds.Id(id));
            return b.Keys();
        }

        var a = Keys(1, 2, 3, 4, 5, 6);
        var b = Keys(9, 2, 3, 4, 5, 6);
        var c = Keys(1, 2, 3, 4, 5, 7, 8);

        a.Length.ShouldBe(3);
        a.ShouldAllBe(k => k < 0);
        // Same block content (3, 4) after another first block: another key, as vLLM's chained hash gives.
        b[1].ShouldNotBe(a[1]);
        c.Take(2).ShouldBe(a.Take(2));
        c[2].ShouldNotBe(a[2]);
        Keys(1, 2, 3, 4, 5, 6).ShouldBe(a);
    }
}
