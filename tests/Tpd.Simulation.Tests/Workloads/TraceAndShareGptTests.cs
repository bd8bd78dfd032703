using System.Text;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class TraceAndShareGptTests
{
    [Fact]
    public void Parse_reads_jsonl_skipping_blank_and_comment_lines()
    {
        const string text = """
            # a trace
            {"arrival_seconds": 0.5, "input_tokens": 812, "output_tokens": 120}

            {"arrival_seconds": 1.25, "input_tokens": 40, "output_tokens": 7, "session_id": "u7"}
            """;

        var entries = TraceReplayWorkload.Parse(new StringReader(text));

        entries.ShouldBe([new TraceEntry(0.5, 812, 120), new TraceEntry(1.25, 40, 7, "u7")]);
    }

    [Fact]
    public void Parse_reports_every_bad_line_by_number()
    {
        const string text = """
            {"arrival_seconds": 0.5, "input_tokens": 812, "output_tokens": 120}
            {"arrival_seconds": -1, "input_tokens": 812, "output_tokens": 120}
            not json
            """;

        var error = Should.Throw<FormatException>(() => TraceReplayWorkload.Parse(new StringReader(text)));

        error.Message.ShouldStartWith("invalid trace:\n  line 2: '{\"arrival_seconds\": -1, \"input_tokens\": 812, \"output_tokens\": 120}' needs arrival_seconds >= 0, input_tokens >= 1 and output_tokens >= 1.\n  line 3: not a JSON object");
    }

    [Fact]
    public void Replay_sends_each_entry_at_its_time_with_its_lengths()
    {
        var trace = new TraceReplayWorkload([new TraceEntry(2.0, 300, 10), new TraceEntry(0.5, 100, 5)]);
        var (_, records) = Sim.Run(trace, 10);

        records.OrderBy(r => r.SendSeconds).Select(r => (r.SendSeconds, r.InputTokens, r.OutputTokens)).ShouldBe([(0.5, 100, 5), (2.0, 300, 10)]);
    }

    [Fact]
    public void Replayed_turns_of_a_session_share_their_prefix()
    {
        var (_, records) = Sim.Run(Sim.SessionTrace((0.0, 200, 50, "a"), (5.0, 300, 50, "a"), (5.0, 300, 50, "b")), 20);

        records.Single(r => r.SendSeconds == 5.0 && r.SessionId == "0").CachedInputTokens.ShouldBe(240);
        records.Single(r => r.SessionId == "1").CachedInputTokens.ShouldBe(0);
    }

    [Fact]
    public void ShareGpt_takes_the_first_human_turn_and_the_reply_after_it_at_four_chars_a_token()
    {
        var json = $$"""
            [
              {"id": "1", "conversations": [
                {"from": "system", "value": "ignored"},
                {"from": "human", "value": "{{new string('a', 400)}}"},
                {"from": "gpt", "value": "{{new string('b', 1000)}}"},
                {"from": "human", "value": "second question is not used"}
              ]},
              {"id": "2", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "{{new string('c', 100)}}"}]},
              {"id": "3", "conversations": [{"from": "user", "value": "{{new string('d', 40)}}"}, {"from": "assistant", "value": "{{new string('e', 44)}}"}]},
              {"id": "4"},
              {"id": "5", "conversations": [{"from": "human", "value": 42}, {"from": "gpt", "value": null}]}
            ]
            """;

        var pairs = ShareGpt.ReadPairs(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        pairs.ShouldBe([(100, 250), (10, 11)]);
    }

    [Fact]
    public void ShareGpt_without_usable_conversations_says_what_is_needed()
    {
        var error = Should.Throw<FormatException>(() => ShareGpt.ReadPairs(new MemoryStream("[]"u8.ToArray())));

        error.Message.ShouldBe("no usable conversation in the ShareGPT file: each needs a 'human' turn followed by a 'gpt' turn of at least 4 tokens (about 16 characters).");
    }

    [Fact]
    public void ShareGpt_that_is_not_an_array_of_conversations_is_refused_with_the_expected_shape()
    {
        var error = Should.Throw<FormatException>(() => ShareGpt.ReadPairs(new MemoryStream("{\"conversations\": []}"u8.ToArray())));

        error.Message.ShouldStartWith("not a ShareGPT file (");
        error.Message.ShouldEndWith("expected a JSON array of {\"conversations\": [{\"from\": \"human\", \"value\": \"...\"}, ...]}.");
    }
}
