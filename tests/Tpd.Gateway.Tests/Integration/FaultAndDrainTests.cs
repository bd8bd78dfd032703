using System.Net;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>
/// Runs alone: these tests kill workers and rely on a dead port staying dead. With other tests starting fakes on
/// free ports at the same time, the OS can hand a killed worker's port to a new fake, whose /health then answers.
/// </summary>
[CollectionDefinition(nameof(FaultAndDrainTests), DisableParallelization = true)]
public sealed class FaultAndDrainRunsAlone;

[Collection(nameof(FaultAndDrainTests))]
public sealed class FaultAndDrainTests
{
    [Theory]
    [InlineData("fake")]
    [InlineData("twin")] // the twin's own slowdown fault: every engine step takes 5x longer
    public async Task A_worker_slowed_at_runtime_is_drained_then_readmitted_after_it_recovers(string kind)
    {
        var workers = await Workers.StartAsync(kind, new WorkerSpec("fast", 200), new WorkerSpec("throttled", 200));
        await using var g = await GatewayHarness.StartAsync(workers, """
            drain:
              window_seconds: 0.3
              windows: 2
              min_in_flight: 1
              relative_to_median: 0.5
              probe_interval_seconds: 0.2
              readmit_probes: 2
              probe_tokens: 12
            """);
        var throttled = g.Runtime.Worker("throttled")!;
        var drainedAt = TimeSpan.Zero;
        var readmittedAt = TimeSpan.Zero;
        var phase = 0;

        var results = await g.LoadAsync(8, TimeSpan.FromSeconds(12), GatewayHarness.Chat(maxTokens: 16), until: () => Volatile.Read(ref phase) == 3, onTick: t =>
        {
            lock (workers)
            {
                if (phase == 0 && t > TimeSpan.FromSeconds(0.5))
                {
                    workers[1].SetSlowdown(5); // thermal throttling: same price, a fifth of the speed
                    phase = 1;
                }
                else if (phase == 1 && (throttled.Block & WorkerBlock.AutoDrained) != 0)
                {
                    drainedAt = t;
                    workers[1].SetSlowdown(1); // cooled down
                    phase = 2;
                }
                else if (phase == 2 && throttled.Eligible)
                {
                    readmittedAt = t;
                    phase = 3;
                }
            }
        });

        phase.ShouldBe(3, $"drained at {drainedAt}, readmitted at {readmittedAt}; logs:\n{g.Logs.All}");
        drainedAt.ShouldBeGreaterThan(TimeSpan.FromSeconds(0.5));
        readmittedAt.ShouldBeGreaterThan(drainedAt);
        results.ShouldAllBe(r => r.Ok);
        g.Logs.All.ShouldContain("worker throttled drained");
        g.Logs.All.ShouldContain("worker throttled readmitted");
        g.Logs.All.ShouldNotContain("worker fast drained");
    }

    [Fact]
    public async Task An_idle_slow_worker_is_not_drained_because_it_is_demand_limited()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a", 200), new WorkerSpec("b", 200));
        await using var g = await GatewayHarness.StartAsync(workers, "drain:\n  window_seconds: 0.2\n  windows: 2\n  min_in_flight: 2\n");
        workers[1].SetSlowdown(5);
        // One request at a time: each worker's mean in-flight stays below 2, so nobody is judged.
        var results = await g.LoadAsync(1, TimeSpan.FromSeconds(1.2), GatewayHarness.Chat(maxTokens: 4));

        results.ShouldAllBe(r => r.Ok);
        g.Runtime.Current.Workers.ShouldAllBe(w => w.Eligible);
    }

    [Theory]
    [InlineData("fake")]
    [InlineData("twin")]
    public async Task A_worker_killed_mid_run_loses_no_request_silently(string kind)
    {
        var workers = await Workers.StartAsync(kind, new WorkerSpec("a", 100), new WorkerSpec("b", 100), new WorkerSpec("c", 100));
        await using var g = await GatewayHarness.StartAsync(workers, "health:\n  interval_seconds: 0.2\n  failures_to_eject: 1\n");
        var killed = false;
        var killedAt = TimeSpan.MaxValue;
        var results = await g.LoadAsync(9, TimeSpan.FromSeconds(8), GatewayHarness.Chat(maxTokens: 40), until: () => Volatile.Read(ref killed) && g.Runtime.Counters.Received > 0 && !g.Runtime.Worker("b")!.Eligible, onTick: t =>
        {
            lock (workers)
            {
                if (!killed && t > TimeSpan.FromSeconds(0.4) && workers[1].InFlight >= 2)
                {
                    killed = true;
                    killedAt = t;
                    _ = workers[1].KillAsync();
                }
            }
        });
        killed.ShouldBeTrue();

        var c = g.Runtime.Counters;
        // The client can see the end of a response a moment before the handler records its outcome.
        for (var i = 0; i < 50 && c.Finished < c.Received; i++)
            await Task.Delay(20);
        var ok = results.Count(r => r.Ok);
        var streamErrors = results.Count(r => r.Status == HttpStatusCode.OK && r.HasErrorFrame && r.Done);
        var failed = results.Count(r => r.Status == HttpStatusCode.BadGateway);
        // Every request ended visibly: a complete stream, or an error frame + [DONE], or a 502 body.
        (ok + streamErrors + failed).ShouldBe(results.Count);
        // The gateway's books agree with the client's.
        c.Received.ShouldBe(results.Count, $"ok {ok}, stream errors {streamErrors}, 502 {failed}, statuses {string.Join(",", results.Select(r => (int)r.Status).Distinct())}");
        c.Finished.ShouldBe(c.Received);
        c.Count(Outcome.Ok).ShouldBe(ok);
        (c.Count(Outcome.StreamError) + c.Count(Outcome.UpstreamFailed)).ShouldBe(streamErrors + failed);
        (streamErrors + c.Retries).ShouldBeGreaterThan(0, $"b requests {workers[1].Requests}, b cancelled {workers[1].Cancelled}, retries {c.Retries}, b ok {g.Runtime.Worker("b")!.Meter.OutcomeCount(Outcome.Ok)}"); // streams on the killed worker were cut mid-way
        for (var i = 0; i < 50 && g.Runtime.Worker("b")!.Eligible; i++)
            await Task.Delay(20);
        g.Runtime.Worker("b")!.Eligible.ShouldBeFalse();
        results.Count(r => r.Ok).ShouldBeGreaterThan(results.Count / 2);
    }

    [Fact]
    public async Task An_ejected_worker_comes_back_when_its_health_check_passes_again()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"), new WorkerSpec("b"));
        await using var g = await GatewayHarness.StartAsync(workers, "health:\n  interval_seconds: 0.1\n  failures_to_eject: 2\n");
        await workers[1].KillAsync();
        var b = g.Runtime.Worker("b")!;
        for (var i = 0; i < 50 && b.Eligible; i++)
            await Task.Delay(20);
        b.Eligible.ShouldBeFalse();
        (await g.StreamAsync(GatewayHarness.Chat(maxTokens: 1))).Worker.ShouldBe("a");

        await workers[1].RestartAsync();
        for (var i = 0; i < 50 && !b.Eligible; i++)
            await Task.Delay(20);
        b.Eligible.ShouldBeTrue();
    }

    [Fact]
    public async Task With_no_eligible_worker_requests_get_503_and_are_counted()
    {
        var workers = await Workers.StartAsync(new WorkerSpec("a"));
        await using var g = await GatewayHarness.StartAsync(workers);
        g.Runtime.SetManualDrain("a", true);
        var r = await g.StreamAsync(GatewayHarness.Chat());
        var health = await g.Client.GetAsync("health");

        r.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        g.Runtime.Counters.Count(Outcome.NoWorker).ShouldBe(1);
    }
}
