using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tpd.Bench.Streaming;
using Tpd.TestKit;

namespace Tpd.Bench.Tests.Streaming;

public class SseParserTests
{
    private static List<SseEvent> Parse(params string[] reads) => ParseBytes([.. reads.Select(Encoding.UTF8.GetBytes)]);

    private static List<SseEvent> ParseBytes(params byte[][] reads)
    {
        long tick = 0;
        var parser = new SseParser(() => tick);
        var events = new List<SseEvent>();
        foreach (var r in reads)
        {
            tick++;
            parser.Feed(r, events);
        }

        return events;
    }

    private static string[] Data(List<SseEvent> events) => [.. events.Select(e => e.Data)];

    [Fact]
    public void Feed_reads_data_with_and_without_the_space_after_the_colon()
    {
        Data(Parse("data: {\"a\":1}\n\ndata:{\"b\":2}\n\n")).ShouldBe(["{\"a\":1}", "{\"b\":2}"]);
    }

    [Fact]
    public void Feed_strips_only_one_leading_space()
    {
        Data(Parse("data:  x\n\n")).ShouldBe([" x"]);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\r")]
    public void Feed_accepts_every_line_ending(string eol)
    {
        Data(Parse($"data: a{eol}{eol}data: b{eol}{eol}")).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void Feed_handles_a_crlf_split_between_reads()
    {
        Data(Parse("data: a\r", "\n\r", "\ndata: b\r\n\r\n")).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void Feed_ignores_comment_pings_and_other_fields()
    {
        var events = Parse(": ping\n\nid: 7\nretry: 100\nevent: message\ndata: x\n\n:keep-alive\n\n");
        Data(events).ShouldBe(["x"]);
        events[0].EventName.ShouldBe("message");
    }

    [Fact]
    public void Feed_joins_multi_line_data_with_newlines()
    {
        Data(Parse("data: {\"a\":\ndata: 1}\n\n")).ShouldBe(["{\"a\":\n1}"]);
    }

    [Fact]
    public void Feed_emits_several_events_from_one_read()
    {
        Data(Parse("data: 1\n\ndata: 2\n\ndata: 3\n\n")).ShouldBe(["1", "2", "3"]);
    }

    [Fact]
    public void Feed_timestamps_an_event_when_its_blank_line_arrives()
    {
        // Read 1 holds the data line, read 2 the blank line: the event is stamped at read 2.
        var events = Parse("data: a\n", "\n", "data: b\n\ndata: c\n\n");
        events.Select(e => e.Timestamp).ShouldBe([2L, 3L, 3L]);
    }

    [Fact]
    public void Feed_decodes_utf8_characters_split_across_reads()
    {
        var bytes = Encoding.UTF8.GetBytes("data: {\"content\":\"h\u00e9 \U0001F600\"}\n\n");
        var split = Array.IndexOf(bytes, (byte)0xF0) + 2; // inside the 4-byte emoji
        var e1 = Array.IndexOf(bytes, (byte)0xC3) + 1;   // inside the 2-byte e-acute
        Data(ParseBytes(bytes[..e1], bytes[e1..split], bytes[split..])).ShouldBe(["{\"content\":\"h\u00e9 \U0001F600\"}"]);
    }

    [Fact]
    public void Feed_skips_a_byte_order_mark_at_the_start()
    {
        Data(ParseBytes([0xEF, 0xBB], [0xBF, .. "data: a\n\n"u8.ToArray()])).ShouldBe(["a"]);
    }

    [Fact]
    public void Feed_does_not_dispatch_an_event_without_its_blank_line()
    {
        var parser = new SseParser(() => 0);
        var events = new List<SseEvent>();
        parser.Feed("data: a\n\ndata: b\n"u8, events);
        Data(events).ShouldBe(["a"]);
        parser.HasPartialEvent.ShouldBeTrue();
    }

    [Fact]
    public void Feed_gives_the_same_events_however_the_bytes_are_split()
    {
        var text = ": ping\r\n\r\ndata: {\"x\":\"\u00e9\U0001F600\"}\r\n\r\ndata:1\ndata:2\n\ndata: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = Data(ParseBytes(bytes));
        expected.ShouldBe(["{\"x\":\"\u00e9\U0001F600\"}", "1\n2", "[DONE]"]);
        var cuts = Gen.ListOf(Gen.Choose(0, bytes.Length)).Select(l => l.Distinct().Order().ToArray());
        Prop.ForAll(cuts.ToArbitrary(), (int[] at) =>
        {
            var pieces = new List<byte[]>();
            var prev = 0;
            foreach (var c in at.Append(bytes.Length))
            {
                pieces.Add(bytes[prev..c]);
                prev = c;
            }

            return Data(ParseBytes([.. pieces])).SequenceEqual(expected);
        }).Check(PropertyConfig.Default);
    }
}
