using System.Text;
using Tpd.Bench.Http;
using Tpd.Bench.Load.Sources;
using Tpd.Simulation.Workloads;

namespace Tpd.Bench.Tests.Sources;

public class SourceTests
{
    [Fact]
    public void RandomTokenSource_with_a_shared_prefix_starts_every_prompt_with_the_same_tokens()
    {
        var source = new RandomTokenSource(inputTokens: 16, outputTokens: 8, seed: 3, sharedPrefixTokens: 32);
        var a = source.RequestAt(0);
        var b = source.RequestAt(1);
        a.PromptTokenIds!.Count.ShouldBe(48);
        a.PromptTokens.ShouldBe(48);
        a.PromptTokenIds.Take(32).ShouldBe(b.PromptTokenIds!.Take(32));
        a.PromptTokenIds.Skip(32).ShouldNotBe(b.PromptTokenIds!.Skip(32));
        // The text fallback shares its prefix words too, and has one word per token.
        a.PromptText!.Split(' ').Length.ShouldBe(48);
        string.Join(' ', a.PromptText.Split(' ').Take(32)).ShouldBe(string.Join(' ', b.PromptText!.Split(' ').Take(32)));
    }

    [Fact]
    public void Warm_up_indices_never_repeat_a_measured_prompt()
    {
        var source = new RandomTokenSource(8, 4);
        source.RequestAt(-1).PromptTokenIds.ShouldNotBe(source.RequestAt(0).PromptTokenIds);
        source.RequestAt(-1).PromptTokenIds.ShouldNotBe(source.RequestAt(1).PromptTokenIds);
    }

    [Fact]
    public void TraceSource_sends_each_entry_at_its_arrival_with_its_lengths_and_shares_content_within_a_session()
    {
        var trace = TraceReplayWorkload.Parse(new StringReader("""
            {"arrival_seconds": 2.5, "input_tokens": 30, "output_tokens": 5, "session_id": "u1"}
            {"arrival_seconds": 1.0, "input_tokens": 10, "output_tokens": 7, "session_id": "u1"}
            {"arrival_seconds": 1.5, "input_tokens": 12, "output_tokens": 3}
            """));
        var source = new TraceSource(trace);
        source.SendTimes.ShouldBe([0, 0.5, 1.5]);
        var first = source.RequestAt(0);
        var third = source.RequestAt(2);
        (first.PromptTokenIds!.Count, first.MaxTokens, first.IgnoreEos, first.SessionId).ShouldBe((10, 7, true, "u1"));
        (third.PromptTokenIds!.Count, third.MaxTokens, third.SessionId).ShouldBe((30, 5, "u1"));
        // The later turn extends the earlier one: its first 10 tokens are the same.
        third.PromptTokenIds.Take(10).ShouldBe(first.PromptTokenIds);
        source.RequestAt(1).SessionId.ShouldBeNull();
        source.RequestAt(-1).SessionId.ShouldBeNull();
    }

    [Fact]
    public void ShareGptSource_reads_the_first_exchange_of_each_conversation_and_asks_for_the_reply_length()
    {
        const string Json = """
            [
              {"id": "a", "conversations": [{"from": "system", "value": "ignored"}, {"from": "human", "value": "What is the capital of France, and why?"}, {"from": "gpt", "value": "Paris is the capital of France since the Middle Ages."}]},
              {"id": "b", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello there, how can I help you today?"}]},
              {"id": "c", "conversations": [{"from": "gpt", "value": "no user turn first, so no pair here at all"}]}
            ]
            """;
        var prompts = ShareGptSource.Read(new MemoryStream(Encoding.UTF8.GetBytes(Json)));

        // "Hi" is under 4 tokens (characters / 4), dropped as vLLM drops it; "c" has no user message.
        prompts.Count.ShouldBe(1);
        prompts[0].ShouldBe(new ShareGptPrompt("What is the capital of France, and why?", ShareGpt.Tokens("What is the capital of France, and why?"), ShareGpt.Tokens("Paris is the capital of France since the Middle Ages.")));
        var request = new ShareGptSource(prompts).RequestAt(5);
        (request.PromptText, request.MaxTokens, request.IgnoreEos, request.PromptTokenIds).ShouldBe((prompts[0].Prompt, prompts[0].ReplyTokens, true, (IReadOnlyList<int>?)null));
    }

    [Fact]
    public void ShareGptSource_rejects_a_file_that_is_not_sharegpt_with_the_expected_shape()
    {
        var ex = Should.Throw<FormatException>(() => ShareGptSource.Read(new MemoryStream(Encoding.UTF8.GetBytes("{\"x\": 1}"))));
        ex.Message.ShouldStartWith("not a ShareGPT file");
        ex.Message.ShouldContain("{\"conversations\": [{\"from\": \"human\"");
    }

    [Fact]
    public void ChatSessionSource_grows_the_history_turn_by_turn_and_tags_session_and_turn()
    {
        var source = new ChatSessionSource(userTokens: 5, replyTokens: 7, turns: 3, systemPromptTokens: 4);
        var history = source.Start();
        history.ShouldHaveSingleItem().Role.ShouldBe("system");
        var t0 = source.TurnRequest(2, 0, history);
        source.AddReply(history, 2, 0, 7);
        var t1 = source.TurnRequest(2, 1, history);

        t0.Messages!.Select(m => m.Role).ShouldBe(["system", "user"]);
        t1.Messages!.Select(m => m.Role).ShouldBe(["system", "user", "assistant", "user"]);
        t1.Messages![2].Content.Split(' ').Length.ShouldBe(7);
        t1.Messages!.Take(2).ShouldBe(t0.Messages);
        (t1.SessionId, t1.Turn, t1.MaxTokens).ShouldBe(("s2", (int?)1, 7));
        source.RequestAt(-1).SessionId.ShouldBeNull();
        source.ThinkSeconds(2, 1, 0).ShouldBe(0);
        source.ThinkSeconds(2, 1, 1.5).ShouldBe(source.ThinkSeconds(2, 1, 1.5));
    }

    [Fact]
    public void Chat_bodies_carry_the_whole_history_and_completions_flatten_it()
    {
        var request = new BenchRequest { Messages = [new("system", "be brief"), new("user", "hi there")], MaxTokens = 3 };
        var chat = RequestBody.Describe(RequestBody.Write(request, new EndpointOptions { BaseUri = new("http://x/"), Model = "m", Api = ApiKind.ChatCompletions }, ServerCapabilities.All));
        chat.ShouldContain("\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi there\"}]");
        var completions = RequestBody.Describe(RequestBody.Write(request, new EndpointOptions { BaseUri = new("http://x/"), Model = "m" }, ServerCapabilities.All));
        completions.ShouldContain("\"prompt\":\"system: be brief\\nuser: hi there\"");
    }
}
