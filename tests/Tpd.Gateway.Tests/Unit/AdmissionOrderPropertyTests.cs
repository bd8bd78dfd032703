using FsCheck;
using FsCheck.Fluent;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Routing;
using Tpd.TestKit;

namespace Tpd.Gateway.Tests.Unit;

public sealed class AdmissionOrderPropertyTests
{
    private static readonly string[] Policies = ["least-requests", "least-tokens", "power-of-two", "affinity"];

    /// <summary>An operation on the pool: a request arrives, a held slot is released, a waiter's client leaves, a worker is drained or undrained.</summary>
    private enum Op
    {
        Arrive,
        Release,
        Cancel,
        ToggleDrain,
    }

    private sealed record Scenario(int Policy, int[] MaxInFlight, (Op Op, int Arg)[] Steps)
    {
        public override string ToString() =>
            $"{Policies[Policy]} limits [{string.Join(',', MaxInFlight)}]: {string.Join(' ', Steps.Select(s => $"{s.Op}:{s.Arg}"))}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from policy in Gen.Choose(0, Policies.Length - 1)
        from limits in Gen.ArrayOf(Gen.Choose(1, 3)).Where(a => a.Length is >= 1 and <= 4)
        from steps in Gen.ArrayOf(
            from op in Gen.Frequency((5, Gen.Constant(Op.Arrive)), (4, Gen.Constant(Op.Release)), (1, Gen.Constant(Op.Cancel)), (1, Gen.Constant(Op.ToggleDrain)))
            from arg in Gen.Choose(0, 1_000_000)
            select (op, arg))
        select new Scenario(policy, limits, steps);

    [Fact]
    public void Admission_order_is_arrival_order_and_no_slot_is_left_idle_or_leaked()
    {
        Prop.ForAll(Scenarios.ToArbitrary(), scenario =>
        {
            Run(scenario);
            return true;
        }).Check(PropertyConfig.Default);
    }

    private static void Run(Scenario scenario)
    {
        var pool = AdmissionPool.Create(Policies[scenario.Policy], scenario.MaxInFlight);
        var pending = new List<Ticket>();   // waiting, in arrival order
        var held = new List<WorkerState>();
        var admitted = new List<long>();    // arrival numbers in the order they got a slot
        long clock = 0;

        foreach (var (op, arg) in scenario.Steps)
        {
            switch (op)
            {
                case Op.Arrive:
                    var t = pool.Arrive(++clock, AdmissionPool.Key((ulong)arg + 1));
                    pending.Add(t);
                    break;
                case Op.Release when held.Count > 0:
                    var w = held[arg % held.Count];
                    held.Remove(w);
                    pool.Queue.Release(w, 1);
                    break;
                case Op.Cancel when pending.Count > 0:
                    var leaving = pending[arg % pending.Count];
                    if (leaving.Waiter is { } waiter && pool.Queue.Withdraw(waiter, AdmitStatus.TimedOut))
                        pending.Remove(leaving);
                    break;
                case Op.ToggleDrain:
                    var worker = pool.Workers[arg % pool.Workers.Length];
                    worker.SetBlock(WorkerBlock.ManualDrained, worker.Eligible);
                    pool.Queue.Dispatch();
                    break;
            }

            // Whoever finished since the last step (served, or told no worker is left) is a prefix of the waiters:
            // nobody is served or refused ahead of an earlier arrival.
            var done = pending.TakeWhile(p => p.Done).ToList();
            Check(!pending.Skip(done.Count).Any(p => p.Done), "a later arrival finished before an earlier one", scenario);
            foreach (var d in done)
            {
                pending.Remove(d);
                if (d.Result.Status == AdmitStatus.Granted)
                {
                    admitted.Add(d.Arrival);
                    held.Add(d.Result.Worker!);
                }
                else
                {
                    Check(d.Result.Status == AdmitStatus.NoWorker, $"unexpected {d.Result.Status}", scenario);
                    Check(!pool.Workers.Any(x => x.Eligible), "refused while a worker was eligible", scenario);
                }
            }

            // Nobody waits while an eligible worker has room; the slots held are exactly those counted on workers.
            Check(pending.Count == 0 || pool.Workers.All(x => !x.Eligible || !x.HasRoom), "a waiter waits beside a free slot", scenario);
            Check(pool.InFlight == held.Count, $"{pool.InFlight} slots taken, {held.Count} held", scenario);
            Check(pool.Queue.Depth == pending.Count, $"depth {pool.Queue.Depth}, {pending.Count} waiting", scenario);
            Check(pool.Workers.All(x => x.InFlight <= x.Config.MaxInFlight), "a worker past max_in_flight", scenario);
        }

        Check(admitted.SequenceEqual(admitted.Order()), $"admission order {string.Join(",", admitted)} differs from arrival order", scenario);

        // Drain everything: every waiter is served in turn (undrained first) and every slot comes back.
        foreach (var x in pool.Workers)
            x.SetBlock(WorkerBlock.ManualDrained, false);
        pool.Queue.Dispatch();
        while (held.Count > 0 || pending.Count > 0)
        {
            foreach (var d in pending.Where(p => p.Done).ToList())
            {
                pending.Remove(d);
                Check(d.Result.Status == AdmitStatus.Granted, $"unexpected {d.Result.Status} after undraining", scenario);
                held.Add(d.Result.Worker!);
            }
            if (held.Count == 0)
                break;
            var w = held[^1];
            held.RemoveAt(held.Count - 1);
            pool.Queue.Release(w, 1);
        }
        Check(pending.Count == 0 && pool.InFlight == 0 && pool.Queue.Depth == 0, "a waiter or a slot was left behind", scenario);
    }

    /// <summary>Formats the scenario only on failure (it is long; formatting it every step made the test slow).</summary>
    private static void Check(bool ok, string what, Scenario scenario)
    {
        if (!ok)
            throw new ShouldAssertException($"{what}: {scenario}");
    }
}
