using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Tpd.Gateway.Config;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Tests.Unit;

/// <summary>An admission queue over workers that are never called: only their slots matter.</summary>
internal sealed class AdmissionPool
{
    private AdmissionPool(Snapshot snapshot)
    {
        Snapshot = snapshot;
        Queue = new AdmissionQueue(new WorkerPicker(), () => Snapshot);
    }

    private static readonly ConcurrentDictionary<string, GatewayConfig> Configs = new();

    public Snapshot Snapshot { get; }
    public AdmissionQueue Queue { get; }
    public WorkerState[] Workers => Snapshot.Workers;
    public int InFlight => Workers.Sum(w => w.InFlight);

    /// <summary>One worker per entry of <paramref name="maxInFlight"/>, named w0, w1, ...</summary>
    public static AdmissionPool Create(string policy, params int[] maxInFlight)
    {
        var yaml = new StringBuilder("workers:\n");
        for (var i = 0; i < maxInFlight.Length; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: w{i}\n    url: http://127.0.0.1:{9000 + i}\n    price_per_hour: 1\n    max_in_flight: {maxInFlight[i]}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"routing:\n  policy: {policy}\n");
        // Parsed once per shape: the property test builds hundreds of pools and YAML parsing dominated its time.
        var config = Configs.GetOrAdd(yaml.ToString(), static text =>
        {
            var result = ConfigLoader.Parse(text);
            result.Errors.ShouldBeEmpty();
            return result.Config!;
        });
        return new AdmissionPool(new Snapshot(config, [.. config.Workers.Select(w => new WorkerState(w))]));
    }

    public static RouteKey Key(ulong affinity = 0) => new(1, affinity, affinity != 0);

    /// <summary>What <see cref="AdmissionQueue.AdmitAsync"/> does before it waits: the lock-free path, else the queue.</summary>
    public Ticket Arrive(long arrival, RouteKey? key = null, ulong tried = 0, int capacity = 1000)
    {
        var k = key ?? Key();
        return Queue.TryFast(k, tried, out var w) ? new Ticket(arrival, w, null) : new Ticket(arrival, null, Queue.Enter(k, tried, arrival, capacity));
    }

    /// <summary>Fills every slot of every worker through the lock-free path; returns the slots held.</summary>
    public List<WorkerState> FillAll()
    {
        var held = new List<WorkerState>();
        while (Queue.TryFast(Key(), 0, out var w))
            held.Add(w);
        return held;
    }
}

/// <summary>One request's bid: granted at once on the lock-free path, or a waiter whose task completes when served.</summary>
internal sealed record Ticket(long Arrival, WorkerState? Immediate, AdmissionQueue.Waiter? Waiter)
{
    public bool Done => Immediate is not null || Waiter!.Task.IsCompleted;
    public Admission Result => Immediate is { } w ? Admission.Grant(w) : Waiter!.Task.IsCompleted ? Waiter.Task.Result : throw new InvalidOperationException("still waiting");
    public bool Granted => Done && Result.Status == AdmitStatus.Granted;
    public WorkerState? Worker => Done ? Result.Worker : null;
}
