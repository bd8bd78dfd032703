using Tpd.Core.Measurement;

namespace Tpd.Core.Tests.Measurement;

public class ScheduleAdherenceTests
{
    private static RequestRecord Rec(long id, double sched, double send, bool warmup = false) => new()
    {
        Id = id,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = sched,
        SendSeconds = send,
        InputTokens = 1,
        OutputTokens = 1,
        Warmup = warmup,
    };

    [Fact]
    public void Of_counts_requests_sent_later_than_the_tolerance()
    {
        // Lateness 0.001, 0.002, 0.05, 0.2: two of four beyond 10 ms.
        var a = ScheduleAdherence.Of([Rec(0, 0, 0.001), Rec(1, 1, 1.002), Rec(2, 2, 2.05), Rec(3, 3, 3.2), Rec(4, -9, 5, warmup: true)], 0.010, 1.0);
        a.Requests.ShouldBe(4);
        a.LateShare.Value.ShouldBe(0.5);
        a.MaxLatenessSeconds.ShouldBe(0.2, 1e-12);
        a.Flagged.ShouldBeTrue();
        // (4 - 1) / (3.2 - 0)
        a.AchievedRate!.Value.Value.ShouldBe(3 / 3.2, 1e-12);
        a.TargetRate!.Value.Value.ShouldBe(1.0);
    }

    [Fact]
    public void Of_a_punctual_run_is_not_flagged()
    {
        var a = ScheduleAdherence.Of([.. Enumerable.Range(0, 100).Select(i => Rec(i, i * 0.1, (i * 0.1) + 0.0005))], 0.010, null);
        a.LateShare.Value.ShouldBe(0);
        a.Flagged.ShouldBeFalse();
        a.TargetRate.ShouldBeNull();
    }
}
