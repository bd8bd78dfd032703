using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tpd.Gateway.Proxy;
using Tpd.TestKit;

namespace Tpd.Gateway.Tests.Proxy;

public sealed class SseScannerTests
{
    private static SseKind Kind(string ev) => SseScanner.Classify(Encoding.UTF8.GetBytes(ev));

    [Theory]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n", SseKind.Token)]
    [InlineData("data:{\"choices\":[{\"text\":\"x\"}]}\n\n", SseKind.Token)]
    [InlineData("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"think\"}}]}\n\n", SseKind.Token)]
    [InlineData("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"1\"}]}}]}\n\n", SseKind.Token)]
    [InlineData("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", SseKind.Other)]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5}}\n\n", SseKind.UsageOnly)]
    [InlineData("data: {\"choices\": [], \"usage\": {\"prompt_tokens\": 3}}\r\n\r\n", SseKind.UsageOnly)]
    [InlineData("data: {\"error\":{\"message\":\"boom\"}}\n\n", SseKind.Error)]
    [InlineData("data: [DONE]\n\n", SseKind.Done)]
    [InlineData(": ping\n\n", SseKind.Other)]
    public void Classify_tells_events_apart(string ev, SseKind expected) => Kind(ev).ShouldBe(expected);

    [Fact]
    public void Usage_reads_prompt_and_completion_tokens()
    {
        var json = "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":40,\"completion_tokens\":28,\"prompt_tokens_details\":{\"cached_tokens\":4}}}"u8;
        SseScanner.Usage(json).ShouldBe((12L, 28L));
        SseScanner.Usage("{\"choices\":[]}"u8).ShouldBe((-1L, -1L));
    }

    [Fact]
    public void Next_event_length_waits_for_the_blank_line_with_lf_or_crlf()
    {
        SseScanner.NextEventLength("data: a\n"u8).ShouldBe(-1);
        SseScanner.NextEventLength("data: a\n\ndata: b"u8).ShouldBe(9);
        SseScanner.NextEventLength("data: a\r\n\r\n"u8).ShouldBe(11);
        SseScanner.NextEventLength("data: a\r\n\r"u8).ShouldBe(-1);
        SseScanner.NextEventLength("id: 1\ndata: a\n\n"u8).ShouldBe(15);
    }

    [Fact]
    public void Splitting_a_stream_anywhere_finds_the_same_events()
    {
        var stream = Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n: ping\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\r\n\r\n" +
            "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\ndata: [DONE]\n\n");
        var whole = Scan([stream]);

        Prop.ForAll(Gen.Choose(1, stream.Length - 1).ArrayOf().ToArbitrary(), cuts =>
        {
            var points = cuts.Distinct().Order().ToList();
            var pieces = new List<byte[]>();
            var at = 0;
            foreach (var p in points)
            {
                pieces.Add(stream[at..p]);
                at = p;
            }
            pieces.Add(stream[at..]);
            return Scan(pieces).SequenceEqual(whole);
        }).Check(PropertyConfig.Default);
        whole.ShouldBe([SseKind.Other, SseKind.Token, SseKind.Other, SseKind.Token, SseKind.UsageOnly, SseKind.Done]);
    }

    /// <summary>Feeds pieces as reads arrive, keeping the incomplete tail, as the proxy does.</summary>
    private static List<SseKind> Scan(IEnumerable<byte[]> pieces)
    {
        var kinds = new List<SseKind>();
        var buffer = new List<byte>();
        foreach (var piece in pieces)
        {
            buffer.AddRange(piece);
            var span = buffer.ToArray().AsSpan();
            var pos = 0;
            int n;
            while ((n = SseScanner.NextEventLength(span[pos..])) > 0)
            {
                kinds.Add(SseScanner.Classify(span.Slice(pos, n)));
                pos += n;
            }
            buffer.RemoveRange(0, pos);
        }
        return kinds;
    }
}
