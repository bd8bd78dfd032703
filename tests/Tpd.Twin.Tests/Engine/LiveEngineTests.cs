using System.Diagnostics;
using Tpd.Simulation.Engine;
using Tpd.Twin.Engine;
using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Engine;

public class LiveEngineTests
{
    private static LiveEngine Start(double prefill, double decode, double factor = 1, int maxNumSeqs = 256, int kvBlocks = 10_000)
    {
        var engine = new LiveEngine(
            new LiveEngineOptions { Engine = new EngineOptions { KvBlocks = kvBlocks, MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = 8192 }, TimeFactor = factor },
            Twins.Fixed(prefill, decode),
            TimeProvider.System);
        engine.Start();
        return engine;
    }

    private static async Task FinishAsync(LiveRequest r)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!r.Finished)
            await r.WaitAsync(r.Tokens, timeout.Token);
    }

    [Fact]
    public async Task Tokens_come_out_at_the_step_ends_the_cost_model_gives_scaled_by_the_time_factor()
    {
        using var engine = Start(prefill: 0.02, decode: 0.01, factor: 2);

        var r = engine.Submit(100, 11);
        await FinishAsync(r);

        // Published times are the simulated step ends on the wall clock: exact, whatever the thread's jitter.
        r.Tokens.ShouldBe(11);
        (r.FirstTokenSeconds - r.ArrivalSeconds).ShouldBe(0.01, 1e-9);
        (r.LastTokenSeconds - r.FirstTokenSeconds).ShouldBe(10 * 0.005, 1e-9);
        (r.ScheduledSeconds - r.ArrivalSeconds).ShouldBe(0, 1e-9);
        engine.Stats.Completed.ShouldBe(1);
    }

    [Fact]
    public async Task Beyond_max_num_seqs_requests_wait_for_a_free_slot()
    {
        using var engine = Start(prefill: 0.005, decode: 0.005, maxNumSeqs: 1);

        var first = engine.Submit(10, 5);
        var second = engine.Submit(10, 5);
        await FinishAsync(second);

        // The second is scheduled in the step after the first's last token.
        second.ScheduledSeconds.ShouldBeGreaterThanOrEqualTo(first.LastTokenSeconds - 1e-9);
        (second.ScheduledSeconds - second.ArrivalSeconds).ShouldBeGreaterThan(0.02);
    }

    [Fact]
    public async Task Cancelling_a_running_request_frees_its_kv_blocks_and_finishes_it()
    {
        using var engine = Start(prefill: 0.002, decode: 0.002);
        var r = engine.Submit(1000, 100_000);
        await r.WaitAsync(3, CancellationToken.None);
        engine.Stats.KvUsage.ShouldBeGreaterThan(0);

        engine.Cancel(r);
        await FinishAsync(r);

        r.Cancelled.ShouldBeTrue();
        r.Tokens.ShouldBeLessThan(100_000);
        await WaitForAsync(() => engine.Stats.Running == 0);
        engine.Stats.KvUsage.ShouldBe(0);
    }

    [Fact]
    public async Task Cancelling_a_waiting_request_drops_it_from_the_queue()
    {
        // The running request holds the only slot for a second (200 steps of 5 ms): the test's look at the queue must
        // land while it runs, and 0.2 s (40 tokens) was missed on a loaded box.
        using var engine = Start(prefill: 0.005, decode: 0.005, maxNumSeqs: 1);
        var running = engine.Submit(10, 200);
        var waiting = engine.Submit(10, 40);
        await running.WaitAsync(1, CancellationToken.None);
        await WaitForAsync(() => engine.Stats.Waiting == 1);

        engine.Cancel(waiting);
        await FinishAsync(waiting);

        waiting.Cancelled.ShouldBeTrue();
        waiting.Tokens.ShouldBe(0);
        await WaitForAsync(() => engine.Stats.Waiting == 0);
        await FinishAsync(running);
        running.Tokens.ShouldBe(200);
    }

    [Fact]
    public async Task With_an_infinite_time_factor_steps_run_back_to_back()
    {
        using var engine = Start(prefill: 1, decode: 1, factor: double.PositiveInfinity);
        var clock = Stopwatch.StartNew();

        var requests = Enumerable.Range(0, 50).Select(_ => engine.Submit(100, 100)).ToList();
        foreach (var r in requests)
            await FinishAsync(r);

        // 100 simulated seconds of steps in (much) less than a wall second.
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        requests.ShouldAllBe(r => r.Tokens == 100);
    }

    [Fact]
    public void A_request_that_can_never_fit_is_refused_at_submission()
    {
        using var engine = Start(prefill: 0.01, decode: 0.01, kvBlocks: 10);

        Should.Throw<ArgumentOutOfRangeException>(() => engine.Submit(150, 20)).Message.ShouldContain("exceed the 160 tokens one request may hold");
    }

    [Fact]
    public void Invalid_options_are_reported_all_at_once()
    {
        var options = new LiveEngineOptions { Engine = new EngineOptions { KvBlocks = 0 }, TimeFactor = 0 };

        var errors = options.Validate();

        errors.ShouldContain(e => e.Contains("kv blocks is 0", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Contains("time factor is 0", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
