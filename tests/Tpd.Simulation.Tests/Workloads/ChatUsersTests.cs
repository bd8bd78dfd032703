using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class ChatUsersTests
{
    [Fact]
    public void A_user_population_never_has_more_requests_in_flight_than_users()
    {
        var (_, records) = Sim.Run(WorkloadPreset.Chat.ForUsers(50), 600);

        foreach (var t in records.Select(r => r.SendSeconds))
            records.Count(r => r.SendSeconds <= t && r.LastTokenSeconds > t).ShouldBeLessThanOrEqualTo(50);
        records.Select(r => r.SessionId).Distinct().Count().ShouldBeGreaterThan(50, "users start new sessions when one ends");
    }

    [Fact]
    public void Chat_users_are_busy_about_a_fifth_of_the_time()
    {
        const double horizon = 900;
        var (_, records) = Sim.Run(WorkloadPreset.Chat.ForUsers(40), horizon);

        // Mean requests in flight over the middle of the run, divided by users: the duty cycle.
        const double a = 200, b = 800;
        var inFlight = records.Sum(r => Math.Max(0, Math.Min(b, r.LastTokenSeconds!.Value) - Math.Max(a, r.SendSeconds))) / (b - a);
        (inFlight / 40).ShouldBeInRange(0.08, 0.35);
    }

    [Fact]
    public void Sessions_need_exactly_one_of_arrivals_or_users()
    {
        var both = WorkloadPreset.ChatOptions(1) with { Users = 5 };
        var neither = WorkloadPreset.ChatOptions(1) with { SessionArrivals = null };

        Should.Throw<ArgumentException>(() => new ChatSessionWorkload(both)).Message
            .ShouldStartWith("chat sessions need exactly one of session arrivals (open loop) or users (a fixed population).");
        Should.Throw<ArgumentException>(() => new ChatSessionWorkload(neither));
        Should.Throw<InvalidOperationException>(() => WorkloadPreset.Rag.ForUsers(5)).Message
            .ShouldStartWith("preset 'rag' has no user population; choose chat or agentic, or give a rate.");
    }
}
