using System.Diagnostics;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Tests.Unit;

public sealed class AdmissionQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void Waiters_are_served_in_arrival_order_one_freed_slot_each()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var holder = pool.Arrive(0);
        holder.Granted.ShouldBeTrue();
        var waiters = Enumerable.Range(1, 20).Select(i => pool.Arrive(i)).ToList();
        waiters.ShouldAllBe(t => !t.Done);
        pool.Queue.Depth.ShouldBe(20);

        var held = holder.Worker!;
        for (var k = 0; k < waiters.Count; k++)
        {
            pool.Queue.Release(held, 1);
            // Handed over before Release returns: the slot is already the waiter's, nobody can race it.
            waiters[k].Granted.ShouldBeTrue($"waiter {k + 1} should be served by release {k + 1}");
            waiters.Skip(k + 1).ShouldAllBe(t => !t.Done);
            pool.InFlight.ShouldBe(1);
            pool.Queue.Depth.ShouldBe(waiters.Count - k - 1);
            held = waiters[k].Worker!;
        }
        pool.Queue.Release(held, 1);
        pool.InFlight.ShouldBe(0);
    }

    [Fact]
    public void A_newcomer_queues_behind_a_waiter_instead_of_routing()
    {
        var pool = AdmissionPool.Create("least-requests", 1, 1);
        var held = pool.FillAll();
        var first = pool.Arrive(1);
        first.Done.ShouldBeFalse();

        // The lock-free path is closed while anyone waits, even to a request that could route.
        pool.Queue.TryFast(AdmissionPool.Key(), 0, out _).ShouldBeFalse();
        var second = pool.Arrive(2);
        second.Done.ShouldBeFalse();

        pool.Queue.Release(held[0], 1);
        first.Granted.ShouldBeTrue();
        second.Done.ShouldBeFalse();
        pool.Queue.Release(held[1], 1);
        second.Granted.ShouldBeTrue();
        pool.InFlight.ShouldBe(2);
    }

    [Fact]
    public void Once_the_queue_empties_the_lock_free_path_opens_again()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var waiter = pool.Arrive(1);
        pool.Queue.Release(held, 1);
        waiter.Granted.ShouldBeTrue();
        pool.Queue.Release(waiter.Worker!, 1);
        pool.Queue.Depth.ShouldBe(0);
        pool.Queue.TryFast(AdmissionPool.Key(), 0, out var w).ShouldBeTrue();
        w.ShouldBeSameAs(pool.Workers[0]);
    }

    [Fact]
    public void A_waiter_that_already_tried_the_freed_worker_lets_the_next_waiter_have_it()
    {
        var pool = AdmissionPool.Create("least-requests", 1, 1);
        var held = pool.FillAll();
        var w0 = held.Single(w => w.Name == "w0");
        var w1 = held.Single(w => w.Name == "w1");
        var retry = pool.Arrive(1, tried: 1UL << 0); // failed on w0 before
        var fresh = pool.Arrive(2);

        pool.Queue.Release(w0, 1);
        retry.Done.ShouldBeFalse();
        fresh.Granted.ShouldBeTrue();
        fresh.Worker.ShouldBeSameAs(w0);

        pool.Queue.Release(w1, 1);
        retry.Granted.ShouldBeTrue();
        retry.Worker.ShouldBeSameAs(w1);
    }

    [Fact]
    public async Task A_request_joins_behind_everyone_already_waiting_whenever_its_client_connected()
    {
        // Place 0 (a first attempt) is stamped when the request joins, not when its HTTP request began: a client
        // that took seconds to upload its body does not jump ahead of those who queued meanwhile.
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var first = pool.Queue.Enter(AdmissionPool.Key(), 0, 0, 10);
        var second = pool.Queue.Enter(AdmissionPool.Key(), 0, 0, 10);
        first.Place.ShouldBeLessThanOrEqualTo(second.Place);
        pool.Queue.Release(held, 1);
        first.Task.IsCompletedSuccessfully.ShouldBeTrue();
        second.Task.IsCompleted.ShouldBeFalse();
        (await first.Task).Place.ShouldBe(first.Place); // a retry of it would keep this place
    }

    [Fact]
    public void A_retry_keeps_its_place_ahead_of_requests_that_arrived_after_it()
    {
        var pool = AdmissionPool.Create("least-requests", 1, 1);
        var held = pool.FillAll();
        var later1 = pool.Arrive(10);
        var later2 = pool.Arrive(11);
        var retry = pool.Arrive(5, tried: 1UL << 1); // arrived at 5, failed on w1, routes again

        pool.Queue.Release(held.Single(w => w.Name == "w0"), 1);
        retry.Granted.ShouldBeTrue();
        later1.Done.ShouldBeFalse();
        later2.Done.ShouldBeFalse();
    }

    [Fact]
    public void The_hand_off_runs_the_policy_for_the_waiter_rather_than_giving_it_the_freed_worker()
    {
        var pool = AdmissionPool.Create("affinity", 1, 1, 1);
        var (w0, w1, w2) = (pool.Workers[0], pool.Workers[1], pool.Workers[2]);
        var held = pool.FillAll();
        held.Count.ShouldBe(3);
        // A session key whose first choice is w1, then w0.
        var key = Enumerable.Range(1, 10_000).Select(i => AdmissionPool.Key((ulong)i))
            .First(k => WorkerPicker.Score(w1, k.AffinityHash) > WorkerPicker.Score(w0, k.AffinityHash));

        // Only w0 frees while w1 is full: the key falls to its next choice with room instead of waiting for w1.
        var waiter = pool.Arrive(1, key);
        waiter.Done.ShouldBeFalse();
        pool.Queue.Release(w0, 1);
        waiter.Worker.ShouldBeSameAs(w0);

        // When two workers gain room at once (both readmitted), the waiter gets its first choice, not the first freed.
        var again = pool.Arrive(2, key);
        again.Done.ShouldBeFalse();
        w0.SetBlock(WorkerBlock.ManualDrained, true);
        w1.SetBlock(WorkerBlock.ManualDrained, true);
        pool.Queue.Release(w0, 1);
        pool.Queue.Release(w1, 1);
        again.Done.ShouldBeFalse(); // only w2 is eligible, and it is full
        w0.SetBlock(WorkerBlock.ManualDrained, false);
        w1.SetBlock(WorkerBlock.ManualDrained, false);
        pool.Queue.Dispatch();
        again.Worker.ShouldBeSameAs(w1);
        w2.InFlight.ShouldBe(1);
    }

    [Fact]
    public void A_cancelled_middle_waiter_leaves_the_queue_and_is_skipped()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var a = pool.Arrive(1);
        var b = pool.Arrive(2);
        var c = pool.Arrive(3);
        pool.Queue.Withdraw(b.Waiter!, AdmitStatus.TimedOut).ShouldBeTrue();
        pool.Queue.Depth.ShouldBe(2);

        pool.Queue.Release(held, 1);
        a.Granted.ShouldBeTrue();
        pool.Queue.Release(a.Worker!, 1);
        c.Granted.ShouldBeTrue();
        b.Granted.ShouldBeFalse();
        pool.Queue.Release(c.Worker!, 1);
        pool.InFlight.ShouldBe(0);
        pool.Queue.Depth.ShouldBe(0);
    }

    [Fact]
    public void Withdrawing_a_waiter_already_served_fails_so_its_slot_is_released_not_leaked()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var a = pool.Arrive(1);
        pool.Queue.Release(held, 1);
        pool.Queue.Withdraw(a.Waiter!, AdmitStatus.TimedOut).ShouldBeFalse();
        a.Granted.ShouldBeTrue();
        pool.InFlight.ShouldBe(1);
    }

    [Fact]
    public async Task A_client_that_leaves_while_queued_frees_its_place_and_the_next_waiter_is_served()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        using var leaves = new CancellationTokenSource();
        var first = pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp(), 10, Long, TimeProvider.System, CancellationToken.None);
        var middle = pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp(), 10, Long, TimeProvider.System, leaves.Token);
        var last = pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp(), 10, Long, TimeProvider.System, CancellationToken.None);
        pool.Queue.Depth.ShouldBe(3);

        await leaves.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(middle.AsTask());
        pool.Queue.Depth.ShouldBe(2);

        pool.Queue.Release(held, 1);
        var a = await first;
        a.Status.ShouldBe(AdmitStatus.Granted);
        last.IsCompleted.ShouldBeFalse();
        pool.Queue.Release(a.Worker!, 1);
        var c = await last;
        c.Status.ShouldBe(AdmitStatus.Granted);
        pool.Queue.Release(c.Worker!, 1);
        pool.InFlight.ShouldBe(0);
        pool.Queue.Depth.ShouldBe(0);
    }

    [Fact]
    public async Task A_wait_past_the_queue_timeout_ends_timed_out_and_leaves_the_queue()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var result = await pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp(), 10, TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None);
        result.Status.ShouldBe(AdmitStatus.TimedOut);
        pool.Queue.Depth.ShouldBe(0);

        // A request whose time ran out before it could queue is refused without waiting.
        var late = pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp() - Stopwatch.Frequency, 10, TimeSpan.FromMilliseconds(500), TimeProvider.System, CancellationToken.None);
        late.IsCompleted.ShouldBeTrue();
        (await late).Status.ShouldBe(AdmitStatus.TimedOut);
        pool.Queue.Release(held, 1);
        pool.InFlight.ShouldBe(0);
    }

    [Fact]
    public void A_full_queue_refuses_the_newcomer_and_keeps_the_others()
    {
        var pool = AdmissionPool.Create("least-requests", 1);
        var held = pool.FillAll().Single();
        var a = pool.Arrive(1, capacity: 2);
        var b = pool.Arrive(2, capacity: 2);
        var c = pool.Arrive(3, capacity: 2);
        c.Done.ShouldBeTrue();
        c.Result.Status.ShouldBe(AdmitStatus.QueueFull);
        a.Done.ShouldBeFalse();
        b.Done.ShouldBeFalse();
        pool.Queue.Depth.ShouldBe(2);

        // queue_size 0: no waiting at all, a full pool refuses at once.
        var none = AdmissionPool.Create("least-requests", 1);
        none.FillAll();
        none.Arrive(1, capacity: 0).Result.Status.ShouldBe(AdmitStatus.QueueFull);
        none.Queue.Depth.ShouldBe(0);
        pool.Queue.Release(held, 1);
        a.Granted.ShouldBeTrue();
    }

    [Fact]
    public void Waiters_hear_at_once_when_no_eligible_worker_is_left()
    {
        var pool = AdmissionPool.Create("least-requests", 1, 1);
        pool.FillAll();
        var a = pool.Arrive(1);
        var b = pool.Arrive(2);
        foreach (var w in pool.Workers)
            w.SetBlock(WorkerBlock.ManualDrained, true);
        pool.Queue.Dispatch();
        a.Result.Status.ShouldBe(AdmitStatus.NoWorker);
        b.Result.Status.ShouldBe(AdmitStatus.NoWorker);
        pool.Queue.Depth.ShouldBe(0);
        pool.Arrive(3).Result.Status.ShouldBe(AdmitStatus.NoWorker);
    }

    [Fact]
    public void A_readmitted_worker_takes_waiters_in_order_up_to_its_limit()
    {
        var pool = AdmissionPool.Create("least-requests", 1, 2);
        var w1 = pool.Workers[1];
        w1.SetBlock(WorkerBlock.Ejected, true);
        pool.FillAll();
        var waiters = Enumerable.Range(1, 4).Select(i => pool.Arrive(i)).ToList();
        waiters.ShouldAllBe(t => !t.Done);

        w1.SetBlock(WorkerBlock.Ejected, false);
        pool.Queue.Dispatch();
        waiters[0].Worker.ShouldBeSameAs(w1);
        waiters[1].Worker.ShouldBeSameAs(w1);
        waiters[2].Done.ShouldBeFalse();
        waiters[3].Done.ShouldBeFalse();
    }

    [Fact]
    public void A_slot_freed_while_a_request_joins_the_queue_is_never_missed()
    {
        // The race the old version counter closed: a request finds every worker full, and before it is queued the
        // only slot frees. Either its routing under the lock sees the slot, or the releaser sees it queued.
        var pool = AdmissionPool.Create("least-requests", 1);
        using var barrier = new Barrier(2);
        for (var round = 0; round < 2000; round++)
        {
            var held = pool.FillAll().Single();
            Ticket? ticket = null;
            var joiner = new Thread(() =>
            {
                barrier.SignalAndWait();
                ticket = pool.Arrive(round + 1);
            });
            joiner.Start();
            barrier.SignalAndWait();
            pool.Queue.Release(held, 1);
            joiner.Join();
            ticket!.Granted.ShouldBeTrue($"round {round}: the slot freed beside the joining request was lost");
            pool.Queue.Release(ticket.Worker!, 1);
            pool.InFlight.ShouldBe(0);
            pool.Queue.Depth.ShouldBe(0);
        }
    }

    [Fact]
    public void A_newcomer_racing_a_release_never_takes_the_slot_from_the_waiter_ahead_of_it()
    {
        // The old queue woke the waiter and let it race: a request arriving as the slot freed could take it first.
        var pool = AdmissionPool.Create("least-requests", 1);
        using var barrier = new Barrier(2);
        for (var round = 0; round < 2000; round++)
        {
            var held = pool.FillAll().Single();
            var waiter = pool.Arrive(2 * round + 1);
            Ticket? newcomer = null;
            var racer = new Thread(() =>
            {
                barrier.SignalAndWait();
                newcomer = pool.Arrive(2 * round + 2);
            });
            racer.Start();
            barrier.SignalAndWait();
            pool.Queue.Release(held, 1);
            racer.Join();
            waiter.Granted.ShouldBeTrue($"round {round}: the waiter lost its slot to a request that came after it");
            newcomer!.Done.ShouldBeFalse();
            pool.Queue.Release(waiter.Worker!, 1);
            newcomer.Granted.ShouldBeTrue();
            pool.Queue.Release(newcomer.Worker!, 1);
            pool.InFlight.ShouldBe(0);
        }
    }

    [Fact]
    public async Task Many_concurrent_requests_all_get_a_slot_and_none_is_leaked()
    {
        var pool = AdmissionPool.Create("power-of-two", 2, 1, 3);
        var served = 0;
        var maxSeen = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var a = await pool.Queue.AdmitAsync(AdmissionPool.Key(), 0, 0, Stopwatch.GetTimestamp(), 1000, Long, TimeProvider.System, CancellationToken.None);
                a.Status.ShouldBe(AdmitStatus.Granted);
                var now = pool.InFlight;
                InterlockedMax(ref maxSeen, now);
                a.Worker!.InFlight.ShouldBeLessThanOrEqualTo(a.Worker.Config.MaxInFlight);
                Interlocked.Increment(ref served);
                pool.Queue.Release(a.Worker, 1);
            }
        })));
        served.ShouldBe(2400);
        maxSeen.ShouldBeLessThanOrEqualTo(6);
        pool.InFlight.ShouldBe(0);
        pool.Queue.Depth.ShouldBe(0);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
