using Tpd.Gateway.Hosting;

namespace Tpd.Gateway.Tests.Hosting;

public sealed class SlotQueueTests
{
    [Fact]
    public async Task A_slot_freed_between_routing_and_waiting_is_not_missed()
    {
        var q = new SlotQueue();
        q.TryJoin(4).ShouldBeTrue();
        var seen = q.Version;   // the request routes and finds every worker full...
        q.SignalOne();           // ...a request finishes before it starts waiting (no waiter to wake yet)...
        var woken = await q.WaitAsync(seen, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        woken.ShouldBeTrue();    // ...and the wait returns at once instead of sleeping until the timeout.
    }

    [Fact]
    public async Task Without_a_signal_the_wait_times_out_and_a_later_signal_wakes_the_oldest_waiter()
    {
        var q = new SlotQueue();
        q.TryJoin(4).ShouldBeTrue();
        (await q.WaitAsync(q.Version, TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None)).ShouldBeFalse();

        q.TryJoin(4).ShouldBeTrue();
        var first = q.WaitAsync(q.Version, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        var second = q.WaitAsync(q.Version, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        q.SignalOne();
        (await first).ShouldBeTrue();
        second.IsCompleted.ShouldBeFalse();
        q.SignalAll();
        (await second).ShouldBeTrue();
    }

    [Fact]
    public void The_queue_refuses_a_request_past_its_capacity()
    {
        var q = new SlotQueue();
        q.TryJoin(1).ShouldBeTrue();
        q.TryJoin(1).ShouldBeFalse();
        q.Depth.ShouldBe(1);
        q.Leave();
        q.Depth.ShouldBe(0);
    }
}
