using Tpd.Core.Measurement;

namespace Tpd.Core.Tests.Measurement;

public class TokenTimelineTests
{
    private static RequestRecord Rec(double first, double last, int n, params double[] gaps) => new()
    {
        Id = 1,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = 0,
        SendSeconds = 0,
        FirstTokenSeconds = first,
        LastTokenSeconds = last,
        EndSeconds = last,
        InputTokens = 1,
        OutputTokens = n,
        InterTokenGaps = gaps,
    };

    [Fact]
    public void Events_spread_tokens_evenly_over_events_when_chunks_carry_several_tokens()
    {
        // 6 tokens in 3 events (speculative decoding): 2 tokens each at 1.0, 1.5, 2.0.
        TokenTimeline.Events(Rec(1, 2, 6, 0.5, 0.5)).ToArray().ShouldBe([(1.0, 2.0), (1.5, 2.0), (2.0, 2.0)]);
    }

    [Fact]
    public void Events_without_gaps_place_tokens_evenly_between_first_and_last()
    {
        TokenTimeline.Events(Rec(1, 3, 5)).Select(e => e.Seconds).ToArray().ShouldBe([1.0, 1.5, 2.0, 2.5, 3.0]);
    }

    [Fact]
    public void TokensPerSecondInWindow_counts_only_tokens_inside_the_window()
    {
        TokenTimeline.TokensPerSecondInWindow([Rec(1, 3, 5)], 1.5, 2.5).ShouldBe(2);
    }

    [Fact]
    public void TokensPerSecondInWindow_rejects_an_empty_window()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TokenTimeline.TokensPerSecondInWindow([], 2, 2)).Message.ShouldContain("after its start");
    }
}
