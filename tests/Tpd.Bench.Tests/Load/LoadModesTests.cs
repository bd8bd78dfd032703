using System.Text.Json;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Progress;
using Tpd.Bench.Streaming;
using Tpd.Bench.Tests.Fakes;
using Tpd.Core.Measurement;
using Tpd.Simulation.Workloads;
using Tpd.TestKit.Fakes;
using ArrivalProcess = Tpd.Bench.Load.ArrivalProcess;

namespace Tpd.Bench.Tests.Load;

/// <summary>Trace replay, sessions, shared prefixes and the concurrency cap, against the delay sender and a real Kestrel server.</summary>
public class LoadModesTests
{
    [Fact]
    public async Task Trace_replay_sends_each_request_at_its_trace_time_with_its_lengths()
    {
        var trace = TraceReplayWorkload.Parse(new StringReader("""
            {"arrival_seconds": 10.0, "input_tokens": 5, "output_tokens": 2}
            {"arrival_seconds": 10.1, "input_tokens": 6, "output_tokens": 3}
            {"arrival_seconds": 10.3, "input_tokens": 7, "output_tokens": 4}
            """));
        var source = new TraceSource(trace);
        var clock = RunClock.From(TimeProvider.System);
        var runner = new LoadRunner(new DelaySender(clock, TimeSpan.FromMilliseconds(5)), source, clock);
        var plan = new LoadPlan { SendTimes = source.SendTimes, MaxRequests = 3 };
        plan.TargetRate!.Value.ShouldBe(2 / 0.3, 1e-9);

        var result = await runner.RunAsync(plan);
        var records = result.Records.OrderBy(r => r.Id).ToList(); // records arrive in completion order, which load can reorder
        var start = records.Min(r => r.ScheduledSeconds);
        records.Select(r => r.ScheduledSeconds - start).ShouldBe([0, 0.1, 0.3], tolerance: 1e-9);
        records.Select(r => r.InputTokens).ShouldBe([5, 6, 7]);
        result.Schedule.TargetRate!.Value.Value.ShouldBe(2 / 0.3, 1e-9);
    }

    [Fact]
    public async Task Sessions_send_turns_in_order_with_growing_history_and_tag_records()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromMilliseconds(5), TokenDelay = TimeSpan.FromMilliseconds(1) });
        var clock = RunClock.From(TimeProvider.System);
        var endpoint = new EndpointOptions { BaseUri = server.BaseUri, Model = "m", Api = ApiKind.ChatCompletions, RequestTimeout = TimeSpan.FromSeconds(10) };
        using var client = new OpenAiStreamClient(endpoint, clock);
        var progress = new LoadProgress();
        var runner = new LoadRunner(client, new ChatSessionSource(userTokens: 6, replyTokens: 4, turns: 3, systemPromptTokens: 5), clock) { Progress = progress };

        var result = await runner.RunAsync(new LoadPlan { Concurrency = 2, Sessions = new SessionPlan { MeanThinkSeconds = 0.01 }, MaxRequests = 6, MaxDuration = TimeSpan.FromSeconds(20) });

        result.Records.Count.ShouldBe(6);
        result.Records.ShouldAllBe(r => r.Outcome == RequestOutcome.Ok);
        server.MaxInFlight.ShouldBeLessThanOrEqualTo(2);
        // The 6-request budget is shared by the two slots: a slot that ends its session first starts the next one and may
        // take a request the other slot's last turn would have had (think times and load decide), so the sessions are
        // s0 and s1 whole, or a third begun; never more than one slot's worth of a new session, and one is always whole.
        var bySession = result.Records.GroupBy(r => r.SessionId).ToDictionary(g => g.Key!, g => g.OrderBy(r => r.Turn).ToList());
        bySession.Keys.Order().ShouldBe(bySession.Count == 2 ? new[] { "s0", "s1" } : ["s0", "s1", "s2"]);
        bySession.Values.ShouldContain(turns => turns.Count == 3);
        foreach (var turns in bySession.Values)
        {
            turns.Select(r => r.Turn).ShouldBe(Enumerable.Range(0, turns.Count).Select(t => (int?)t));
            // Each turn is sent after the previous reply ended, and its prompt holds the history: system 5 + (user 6 + reply 4) per earlier turn + user 6.
            turns.Zip(turns.Skip(1), (a, b) => b.SendSeconds >= a.EndSeconds!.Value).ShouldAllBe(x => x);
            turns.Select(r => r.InputTokens).ShouldBe(new[] { 11, 21, 31 }.Take(turns.Count));
        }

        string[] roles;
        lock (server.Bodies)
            roles = [.. JsonDocument.Parse(server.Bodies[^1]).RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];
        roles[0].ShouldBe("system");
        progress.Snapshot(1).Done.ShouldBe(6);
    }

    [Fact]
    public async Task A_shared_prefix_reaches_the_server_as_the_same_leading_token_ids()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromMilliseconds(1), TokenDelay = TimeSpan.FromMilliseconds(1) });
        var clock = RunClock.From(TimeProvider.System);
        var endpoint = new EndpointOptions { BaseUri = server.BaseUri, Model = "m", RequestTimeout = TimeSpan.FromSeconds(10) };
        using var client = new OpenAiStreamClient(endpoint, clock);
        var runner = new LoadRunner(client, new RandomTokenSource(4, 2, sharedPrefixTokens: 16), clock);
        await runner.RunAsync(new LoadPlan { Concurrency = 2, MaxRequests = 4 });

        List<int[]> prompts;
        lock (server.Bodies)
            prompts = [.. server.Bodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("prompt").EnumerateArray().Select(x => x.GetInt32()).ToArray())];
        prompts.Count.ShouldBe(4);
        prompts.ShouldAllBe(p => p.Length == 20);
        prompts.Select(p => string.Join(',', p.Take(16))).Distinct().Count().ShouldBe(1);
        prompts.Select(p => string.Join(',', p.Skip(16))).Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public async Task Warm_up_prompts_differ_from_every_measured_prompt()
    {
        var seen = new List<BenchRequest>();
        var clock = RunClock.From(TimeProvider.System);
        var runner = new LoadRunner(new RecordingSender(clock, seen), new RandomTokenSource(8, 2), clock);
        await runner.RunAsync(new LoadPlan { Concurrency = 1, MaxRequests = 3, Warmup = 2 });
        seen.Count.ShouldBe(5);
        seen.Select(r => string.Join(',', r.PromptTokenIds!)).Distinct().Count().ShouldBe(5);
    }

    [Fact]
    public async Task FirstId_and_FirstIndex_move_a_second_run_onto_new_ids_and_prompts()
    {
        var seen = new List<BenchRequest>();
        var clock = RunClock.From(TimeProvider.System);
        var source = new RandomTokenSource(8, 2);
        var runner = new LoadRunner(new RecordingSender(clock, seen), source, clock) { FirstId = 100, FirstIndex = 50 };
        var result = await runner.RunAsync(new LoadPlan { Rate = 1000, Arrivals = ArrivalProcess.Constant, MaxRequests = 2 });
        result.Records.Select(r => r.Id).Order().ShouldBe([100L, 101L]);
        seen.Select(r => string.Join(',', r.PromptTokenIds!)).Order().ShouldBe(new[] { source.RequestAt(50), source.RequestAt(51) }.Select(r => string.Join(',', r.PromptTokenIds!)).Order());
    }

    [Fact]
    public void A_plan_mixing_load_shapes_lists_every_conflict()
    {
        var errors = new LoadPlan { Rate = 2, SendTimes = [0, 1], Sessions = new SessionPlan(), MaxRequests = 1 }.Validate();
        errors.ShouldContain("give a rate or a trace's send times, not both");
        errors.ShouldContain("sessions run closed loop (each turn waits for the last reply); drop the rate or the trace");
        new LoadPlan { SendTimes = [1, 0], MaxRequests = 2 }.Validate().ShouldContain("trace send times must be non-empty, finite, 0 or more and ascending");
    }

    /// <summary>Keeps every request it is asked to send, answers at once.</summary>
    private sealed class RecordingSender(RunClock clock, List<BenchRequest> seen) : IRequestSender
    {
        public Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduledSeconds, bool warmup, CancellationToken cancellationToken)
        {
            lock (seen)
                seen.Add(request);
            var now = clock.NowSeconds();
            return Task.FromResult(new RequestRecord
            {
                Id = id,
                Outcome = RequestOutcome.Ok,
                ScheduledSeconds = scheduledSeconds,
                SendSeconds = now,
                FirstTokenSeconds = now,
                LastTokenSeconds = now + 0.001,
                EndSeconds = now + 0.001,
                InputTokens = request.PromptTokens ?? 0,
                OutputTokens = 2,
                Warmup = warmup,
            });
        }
    }
}
