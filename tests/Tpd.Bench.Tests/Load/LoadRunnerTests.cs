using System.Collections.Concurrent;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Records;
using Tpd.Bench.Streaming;
using Tpd.Bench.Tests.Fakes;
using Tpd.Core.Measurement;
using Tpd.TestKit.Fakes;

namespace Tpd.Bench.Tests.Load;

public class LoadRunnerTests
{
    private static readonly RandomTokenSource Source = new(inputTokens: 8, outputTokens: 4);

    private static (LoadRunner Runner, DelaySender Sender) Runner(TimeSpan service, ConcurrentBag<RequestRecord>? seen = null)
    {
        var clock = RunClock.From(TimeProvider.System);
        var sender = new DelaySender(clock, service);
        var runner = new LoadRunner(sender, Source, clock)
        {
            OnRecord = (r, _) =>
            {
                seen?.Add(r);
                return Task.CompletedTask;
            },
        };
        return (runner, sender);
    }

    [Fact]
    public async Task Closed_loop_keeps_exactly_the_concurrency_in_flight_and_stops_at_the_count()
    {
        var seen = new ConcurrentBag<RequestRecord>();
        var (runner, sender) = Runner(TimeSpan.FromMilliseconds(100), seen);
        var result = await runner.RunAsync(new LoadPlan { Concurrency = 4, MaxRequests = 24, Warmup = 3 });

        sender.MaxInFlight.ShouldBe(4);
        result.Records.Count.ShouldBe(27);
        result.Records.Take(3).ShouldAllBe(r => r.Warmup);
        result.Records.Skip(3).ShouldAllBe(r => !r.Warmup);
        result.Records.Select(r => r.Id).ShouldBe(Enumerable.Range(0, 27).Select(i => (long)i));
        seen.Count.ShouldBe(27);
        result.Schedule.TargetRate.ShouldBeNull();
        result.Schedule.Requests.ShouldBe(24);
    }

    [Fact]
    public async Task Open_loop_sends_at_the_precomputed_times_and_reaches_the_target_rate_or_says_it_fell_behind()
    {
        var (runner, _) = Runner(TimeSpan.FromMilliseconds(5));
        var result = await runner.RunAsync(new LoadPlan { Rate = 100, Arrivals = ArrivalProcess.Constant, MaxRequests = 40, LatenessTolerance = TimeSpan.FromMilliseconds(50) });

        var scheduled = result.Records.Select(r => r.ScheduledSeconds).Order().ToArray();
        scheduled.Zip(scheduled.Skip(1), (a, b) => b - a).ShouldAllBe(g => Math.Abs(g - 0.01) < 1e-9);
        result.Records.ShouldAllBe(r => r.SendSeconds >= r.ScheduledSeconds);
        result.Schedule.TargetRate!.Value.Value.ShouldBe(100);
        var achieved = result.Schedule.AchievedRate!.Value.Value;
        achieved.ShouldBe(39 / (result.Records.Max(r => r.SendSeconds) - result.Records.Min(r => r.ScheduledSeconds)), 1e-9);

        // On a quiet machine the client keeps up; on a busy one it must say that it did not.
        if (achieved < 90)
        {
            result.ClientBottleneck.ShouldBeTrue();
            result.Warnings.ShouldContain(w => w.Contains("the client fell behind"));
        }
        else
        {
            achieved.ShouldBeLessThan(110);
        }
    }

    [Fact]
    public async Task Open_loop_stops_at_the_duration_bound()
    {
        var (runner, _) = Runner(TimeSpan.Zero);
        var result = await runner.RunAsync(new LoadPlan { Rate = 50, Arrivals = ArrivalProcess.Constant, MaxDuration = TimeSpan.FromMilliseconds(300) });
        // Due times 0, 0.02, ..., 0.28 fall inside 0.3 s: 15 requests.
        result.Records.Count.ShouldBe(15);
    }

    [Fact]
    public async Task Rate_with_a_concurrency_cap_never_exceeds_the_cap_and_says_why_requests_were_late()
    {
        var (runner, sender) = Runner(TimeSpan.FromMilliseconds(40));
        var result = await runner.RunAsync(new LoadPlan { Rate = 500, Arrivals = ArrivalProcess.Constant, Concurrency = 2, MaxRequests = 12 });

        sender.MaxInFlight.ShouldBe(2);
        result.Schedule.Flagged.ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.Contains("all 2 concurrency slots were busy"));
        // The late sends are put down to the slots, not the client. The client's CPU check is separate: it reads this
        // whole process, where other tests run beside this one, so it may fire here; only it may mark a bottleneck.
        result.Warnings.ShouldNotContain(w => w.Contains("could not keep up") || w.Contains("fell behind"));
        result.ClientBottleneck.ShouldBe(result.Client.Flagged);
    }

    [Fact]
    public async Task Cancellation_stops_dispatching_and_keeps_what_was_measured()
    {
        var (runner, _) = Runner(TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await runner.RunAsync(new LoadPlan { Rate = 20, Arrivals = ArrivalProcess.Constant, MaxRequests = 1000 }, stop.Token);

        // Each request would take 30 s; the run ends at once with the requests that were due recorded as cancelled.
        // The bound follows the wall time, not the nominal 0.2 s: a loaded CI machine may observe the cancel late,
        // but the runner must never send a request before its scheduled time (20/s, one every 50 ms).
        var elapsed = watch.Elapsed;
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        result.Records.Count.ShouldBeGreaterThan(0);
        result.Records.Count.ShouldBeLessThanOrEqualTo((int)(elapsed.TotalSeconds * 20) + 1);
        result.Records.ShouldAllBe(r => r.ErrorClass == "cancelled" && r.ScheduledSeconds <= elapsed.TotalSeconds);
    }

    [Fact]
    public async Task RunAsync_lists_every_problem_of_an_invalid_plan()
    {
        var (runner, _) = Runner(TimeSpan.Zero);
        var ex = await Should.ThrowAsync<ArgumentException>(() => runner.RunAsync(new LoadPlan { Concurrency = 0, Warmup = -1 }));
        ex.Message.ShouldStartWith("invalid load plan: closed loop needs a concurrency of at least 1 (or give a rate for open loop); concurrency 0 must be at least 1; the run is unbounded; give a request count, a duration, or both; warm-up -1 must be 0 or more");
    }

    [Fact]
    public void RandomTokenSource_gives_exact_lengths_and_the_same_prompt_for_the_same_index()
    {
        var a = new RandomTokenSource(16, 32, seed: 5);
        var r = a.RequestAt(3);
        r.PromptTokenIds!.Count.ShouldBe(16);
        (r.PromptTokens, r.MaxTokens, r.IgnoreEos, r.MinTokens).ShouldBe(((int?)16, 32, true, (int?)32));
        new RandomTokenSource(16, 32, seed: 5).RequestAt(3).PromptTokenIds.ShouldBe(r.PromptTokenIds);
        a.RequestAt(4).PromptTokenIds.ShouldNotBe(r.PromptTokenIds);
        r.PromptTokenIds.ShouldAllBe(id => id >= 1000 && id < 21_000);
    }

    [Fact]
    public async Task End_to_end_closed_loop_against_kestrel_writes_every_record_and_summarizes()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new() { FirstTokenDelay = TimeSpan.FromMilliseconds(10), TokenDelay = TimeSpan.FromMilliseconds(2), NaturalLength = 3 });
        var clock = RunClock.From(TimeProvider.System);
        var endpoint = new EndpointOptions { BaseUri = server.BaseUri, Model = "m", RequestTimeout = TimeSpan.FromSeconds(10) };
        using var client = new OpenAiStreamClient(endpoint, clock);
        client.Capabilities = (await CapabilityProbe.ProbeAsync(client, endpoint)).Capabilities;
        using var jsonl = new MemoryStream();
        await using var writer = new JsonlRecordWriter(jsonl);
        var runner = new LoadRunner(client, new RandomTokenSource(8, 6), clock) { OnRecord = (r, ct) => writer.WriteAsync(r, ct) };

        var result = await runner.RunAsync(new LoadPlan { Concurrency = 3, MaxRequests = 12, Warmup = 2, MaxDuration = TimeSpan.FromSeconds(20) });

        server.MaxInFlight.ShouldBeLessThanOrEqualTo(3);
        writer.Written.ShouldBe(14);
        var lines = JsonlRecordWriter.Read(new StringReader(System.Text.Encoding.UTF8.GetString(jsonl.ToArray()))).ToList();
        lines.Count.ShouldBe(14);
        var summary = RunSummary.Of(result.Records);
        (summary.Requests, summary.Ok, summary.WarmupExcluded).ShouldBe((12, 12, 2));
        summary.OutputTokens.ShouldBe(72); // ignore_eos forces 6 tokens past the natural length of 3
        summary.InputTokens.ShouldBe(96);
        summary.OutputLengths.AllExact.ShouldBeTrue();
        // The server waits 10 ms before the first token (a timer that may end a coarse-clock tick early: 8.6 ms was seen).
        summary.Ttft!.Min.ShouldBeGreaterThanOrEqualTo(0.010 - FakeServerOptions.DelaySlack.TotalSeconds);
    }
}
