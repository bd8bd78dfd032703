using Tpd.Bench.Streaming;
using Tpd.Bench.Tests.Fakes;
using Tpd.Core.Measurement;
using static Tpd.Bench.Tests.Fakes.ScriptedStream;

namespace Tpd.Bench.Tests.Streaming;

/// <summary>The MEASURE.md pitfalls, each on a crafted byte stream with a fake clock (1 tick = 1 ms).</summary>
public class SseRequestReaderTests
{
    private const string Role = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
    private const string Done = "data: [DONE]\n\n";

    private static string Content(string text) => $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}}}}]}}\n\n";
    private static string Reasoning(string text) => $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"reasoning_content\":\"{text}\"}}}}]}}\n\n";
    private static string Text(string text) => $"data: {{\"choices\":[{{\"index\":0,\"text\":\"{text}\"}}]}}\n\n";
    private static string UsageChunk(int prompt, int completion) => $"data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion}}}}}\n\n";

    private static async Task<(RequestRecord Record, RequestRecordBuilder Builder)> Record(
        IEnumerable<(long, byte[])> reads, Exception? throwAtEnd = null, bool block = false, int? requested = null, CancellationToken timeout = default)
    {
        var ticks = new FakeTicks();
        var clock = new RunClock(ticks.Read, FakeTicks.PerSecond);
        var builder = new RequestRecordBuilder(1, 0) { RequestedOutputTokens = requested, KnownInputTokens = 4 };
        builder.Sent(0);
        builder.Headers(0.010, 200);
        using var stream = new ScriptedStream(ticks, reads) { ThrowAtEnd = throwAtEnd, BlockAtEnd = block };
        await SseRequestReader.ReadAsync(stream, builder, clock, timeout);
        return (builder.Build(), builder);
    }

    [Fact]
    public async Task Role_chunk_is_not_the_first_token()
    {
        var (r, _) = await Record([At(50, Role), At(200, Content("Hi")), At(300, Content("!")), At(310, UsageChunk(4, 2)), At(311, Done)]);
        r.Outcome.ShouldBe(RequestOutcome.Ok);
        r.TtftSeconds!.Value.ShouldBe(0.200, 1e-12);
        r.E2eSeconds!.Value.ShouldBe(0.300, 1e-12);
        r.InterTokenGaps.ShouldBe([0.1], tolerance: 1e-12);
    }

    [Fact]
    public async Task Several_tokens_in_one_chunk_use_the_usage_count_for_tpot()
    {
        // Speculative decoding: 3 events carry 7 tokens; TPOT = (0.4 - 0.1) / (7 - 1).
        var (r, b) = await Record([At(100, Content("a b c")), At(250, Content("d e")), At(400, Content("f g")), At(401, UsageChunk(4, 7)), At(402, Done)]);
        r.OutputTokens.ShouldBe(7);
        r.OutputTokensSource.ShouldBe(TokenCountSource.Usage);
        r.TpotSeconds!.Value.ShouldBe(0.3 / 6, 1e-12);
        r.InterTokenGaps.Count.ShouldBe(2);
        b.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Events_split_across_reads_and_merged_in_one_read_are_timed_at_their_blank_line()
    {
        var first = Text("Hel");
        var (r, _) = await Record([At(100, first[..10]), At(150, first[10..]), At(300, Text("lo") + Text(" w") + UsageChunk(4, 3) + Done)]);
        r.FirstTokenSeconds!.Value.ShouldBe(0.150, 1e-12);
        r.LastTokenSeconds!.Value.ShouldBe(0.300, 1e-12);
        r.InterTokenGaps.ShouldBe([0.15, 0.0], tolerance: 1e-12);
        r.OutputTokens.ShouldBe(3);
    }

    [Fact]
    public async Task Data_without_a_space_and_comment_pings_are_read()
    {
        var (r, _) = await Record([At(5, ": ping\n\n"), At(100, "data:{\"choices\":[{\"text\":\"x\"}]}\n\n"), At(150, ":\n\n"), At(200, UsageChunk(4, 1) + "data:[DONE]\n\n")]);
        r.Outcome.ShouldBe(RequestOutcome.Ok);
        r.TtftSeconds!.Value.ShouldBe(0.1, 1e-12);
        r.OutputTokens.ShouldBe(1);
    }

    [Fact]
    public async Task Partial_utf8_across_reads_still_counts_the_token()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Content("\u00e9t\u00e9"));
        var cut = Array.IndexOf(bytes, (byte)0xC3) + 1;
        var (r, _) = await Record([(100, bytes[..cut]), (120, bytes[cut..]), At(130, UsageChunk(4, 2) + Done)]);
        r.FirstTokenSeconds!.Value.ShouldBe(0.120, 1e-12);
        r.Outcome.ShouldBe(RequestOutcome.Ok);
    }

    [Fact]
    public async Task Missing_usage_chunk_falls_back_to_counting_events_with_a_warning()
    {
        var (r, b) = await Record([At(100, Content("a")), At(200, Content("b")), At(300, Content("c")), At(301, Done)]);
        r.OutputTokens.ShouldBe(3);
        r.OutputTokensSource.ShouldBe(TokenCountSource.EventCount);
        r.InputTokens.ShouldBe(4);
        b.Warnings.ShouldHaveSingleItem().ShouldContain("no usage chunk");
    }

    [Fact]
    public async Task Error_event_inside_a_200_stream_is_an_error()
    {
        var (r, _) = await Record([At(100, Content("a")), At(200, "data: {\"error\":{\"message\":\"KV cache exhausted\",\"code\":500}}\n\n"), At(201, Done)]);
        r.Outcome.ShouldBe(RequestOutcome.Error);
        r.ErrorClass.ShouldBe("error_event");
        r.ErrorMessage.ShouldBe("KV cache exhausted");
        r.HttpStatus.ShouldBe(200);
    }

    [Fact]
    public async Task Slow_trailing_usage_chunk_does_not_stretch_e2e()
    {
        var (r, _) = await Record([At(100, Content("a")), At(200, Content("b")), At(2200, UsageChunk(4, 2)), At(2210, Done)]);
        r.E2eSeconds!.Value.ShouldBe(0.2, 1e-12);
        r.EndSeconds!.Value.ShouldBe(2.21, 1e-12);
        r.TpotSeconds!.Value.ShouldBe(0.1, 1e-12);
    }

    [Fact]
    public async Task Connection_reset_mid_stream_is_incomplete()
    {
        var (r, _) = await Record([At(100, Content("a")), At(200, Content("b") + "data: {\"cho")], throwAtEnd: new IOException("Connection reset by peer"));
        r.Outcome.ShouldBe(RequestOutcome.Incomplete);
        r.ErrorClass.ShouldBe("connection_reset");
        r.ErrorMessage.ShouldBe("Connection reset by peer");
        r.OutputTokens.ShouldBe(2);
    }

    [Fact]
    public async Task Stream_that_ends_without_done_is_incomplete()
    {
        var (r, _) = await Record([At(100, Content("a")), At(200, "data: {\"cho")]);
        r.Outcome.ShouldBe(RequestOutcome.Incomplete);
        r.ErrorClass.ShouldBe("cut_mid_event");
        var (clean, _) = await Record([At(100, Content("a"))]);
        clean.ErrorClass.ShouldBe("no_done");
    }

    [Fact]
    public async Task Timeout_is_an_error_even_mid_stream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var (r, _) = await Record([At(100, Content("a"))], block: true, timeout: cts.Token);
        r.Outcome.ShouldBe(RequestOutcome.Error);
        r.ErrorClass.ShouldBe("timeout");
    }

    [Fact]
    public void Http_429_is_an_error_with_its_status()
    {
        var b = new RequestRecordBuilder(9, 1.0);
        b.Sent(1.5);
        b.HttpError(1.6, 429, "{\"error\":{\"message\":\"rate limited\"}}");
        var r = b.Build();
        r.Outcome.ShouldBe(RequestOutcome.Error);
        r.ErrorClass.ShouldBe("http_429");
        r.HttpStatus.ShouldBe(429);
        r.HeadersSeconds.ShouldBe(1.6);
        r.ErrorMessage!.ShouldContain("rate limited");
        r.FirstTokenSeconds.ShouldBeNull();
    }

    [Fact]
    public async Task Reasoning_tokens_set_ttft_and_content_sets_ttfot()
    {
        var (r, _) = await Record([At(100, Reasoning("think")), At(150, Reasoning("more")), At(400, Content("42")), At(401, UsageChunk(4, 3)), At(402, Done)]);
        r.FirstTokenSeconds!.Value.ShouldBe(0.1, 1e-12);
        r.FirstContentSeconds!.Value.ShouldBe(0.4, 1e-12);
    }

    [Fact]
    public async Task Usage_with_cached_tokens_is_recorded()
    {
        var usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":64}}}\n\n";
        var (r, _) = await Record([At(100, Text("a")), At(101, usage + Done)], requested: 1);
        (r.InputTokens, r.CachedInputTokens, r.RequestedOutputTokens).ShouldBe((100, 64, 1));
    }
}
