using Tpd.Bench.Progress;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Progress;

public class ProgressLineTests
{
    private static RequestRecord Record(RequestOutcome outcome, bool warmup = false) => new()
    {
        Id = 0,
        Outcome = outcome,
        ScheduledSeconds = 0,
        SendSeconds = 0,
        InputTokens = 1,
        OutputTokens = 50,
        Warmup = warmup,
    };

    [Fact]
    public void Format_shows_done_of_target_in_flight_rate_errors_tokens_and_elapsed()
    {
        var p = new LoadProgress();
        p.Reset(100, "rate 4/s");
        for (var i = 0; i < 5; i++)
            p.Sent();
        p.Finished(Record(RequestOutcome.Ok));
        p.Finished(Record(RequestOutcome.Ok));
        p.Finished(Record(RequestOutcome.Error));
        ProgressLine.Format(p.Snapshot(2)).ShouldBe("[rate 4/s] 3/100 done, 2 in flight, 1.5 req/s, 1 errors, 50 tok/s, 2 s");
    }

    [Fact]
    public void Warm_up_shows_apart_and_does_not_count_as_done()
    {
        var p = new LoadProgress();
        p.Sent();
        p.Finished(Record(RequestOutcome.Ok, warmup: true));
        ProgressLine.Format(p.Snapshot(1)).ShouldBe("0 done (1 warm-up), 0 in flight, 0.0 req/s, 0 errors, 0 tok/s, 1 s");
    }

    [Fact]
    public async Task An_enabled_line_rewrites_itself_with_a_carriage_return_and_clears_at_the_end()
    {
        var writer = new StringWriter();
        var line = new ProgressLine(writer, new LoadProgress(), enabled: true);
        line.Tick();
        line.Tick();
        await line.DisposeAsync();
        var text = writer.ToString();
        text.Split('\r').Length.ShouldBe(5); // two updates, then a blank-out and a return
        text.ShouldStartWith("\r0 done, 0 in flight");
        text.ShouldEndWith("\r");
    }

    [Fact]
    public async Task A_disabled_line_writes_nothing()
    {
        var writer = new StringWriter();
        var line = new ProgressLine(writer, new LoadProgress(), enabled: false);
        line.Start();
        line.Tick();
        await line.DisposeAsync();
        writer.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task Started_line_updates_about_once_a_second()
    {
        var writer = new StringWriter();
        var line = new ProgressLine(writer, new LoadProgress(), enabled: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        line.Start();
        // Waits for the first update rather than a fixed 1.3 s, which a loaded box's late timer tick overran.
        string Text()
        {
            lock (writer)
                return writer.ToString();
        }

        while (!Text().Contains(" done, ", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(10);
        var firstUpdate = clock.Elapsed;
        await line.DisposeAsync();

        Text().ShouldContain(" done, ");
        // Not before the interval: a timer cannot fire early, whatever the load (a little slack for clock granularity).
        firstUpdate.ShouldBeGreaterThan(ProgressLine.Interval - TimeSpan.FromMilliseconds(20));
    }
}
