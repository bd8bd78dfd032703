using Microsoft.Extensions.Logging;
using Tpd.Gateway.Config;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Hosting;

/// <summary>The config and the worker states that go with it, swapped as one on reload.</summary>
public sealed record Snapshot(GatewayConfig Config, WorkerState[] Workers);

/// <summary>
/// The gateway's live state: the current snapshot, the queue, the counters and the drain tracker. Requests read
/// the snapshot once; reloads, health checks, the window tick and the admin API change it.
/// </summary>
public sealed class GatewayRuntime
{
    private readonly Lock _drainLock = new();
    private readonly ILogger _log;
    private Snapshot _snapshot;

    public GatewayRuntime(GatewayConfig config, ILogger log, TimeProvider? time = null)
    {
        _log = log;
        Time = time ?? TimeProvider.System;
        _snapshot = new Snapshot(config, [.. config.Workers.Select(w => new WorkerState(w))]);
        Admission = new AdmissionQueue(WorkerPicker, () => Current);
    }

    public Snapshot Current => Volatile.Read(ref _snapshot);
    public GatewayCounters Counters { get; } = new();
    public WorkerPicker WorkerPicker { get; } = new();
    public TimeProvider Time { get; }
    internal AdmissionQueue Admission { get; }
    internal DrainTracker Drain { get; } = new();

    public WorkerState? Worker(string name) => Array.Find(Current.Workers, w => w.Name == name);

    /// <summary>Desired replicas for the target concurrency: ceil((in-flight + queued) / target), at least 1.</summary>
    public int DesiredReplicas()
    {
        var s = Current;
        long load = Admission.Depth;
        foreach (var w in s.Workers)
            load += w.InFlight;
        return (int)Math.Max(1, (load + s.Config.Scaling.TargetInFlightPerWorker - 1) / s.Config.Scaling.TargetInFlightPerWorker);
    }

    /// <summary>Installs a new config; workers keep their state (in-flight, meters, drain) by name.</summary>
    public void Apply(GatewayConfig config)
    {
        var old = Current;
        if (config.Listen != old.Config.Listen)
            Log.ListenChanged(_log, old.Config.Listen, config.Listen);
        var workers = new WorkerState[config.Workers.Count];
        for (var i = 0; i < workers.Length; i++)
        {
            var wc = config.Workers[i];
            var existing = Array.Find(old.Workers, w => w.Name == wc.Name);
            if (existing is null)
            {
                workers[i] = new WorkerState(wc);
            }
            else
            {
                existing.Update(wc);
                workers[i] = existing;
            }
        }
        lock (_drainLock)
        {
            foreach (var gone in old.Workers.Where(w => !config.Workers.Any(c => c.Name == w.Name)))
                Drain.Forget(gone.Name);
        }
        Volatile.Write(ref _snapshot, new Snapshot(config, workers));
        Counters.Reloaded(true);
        Log.Reloaded(_log, workers.Length, config.Routing.Policy.ToString());
        Admission.Dispatch();
    }

    /// <summary>Manual drain (admin API): no new requests; in-flight ones finish.</summary>
    public bool SetManualDrain(string name, bool drained)
    {
        var w = Worker(name);
        if (w is null)
            return false;
        w.SetBlock(WorkerBlock.ManualDrained, drained);
        if (!drained)
        {
            // Undrain clears an automatic drain too: the operator has looked at the worker.
            w.SetBlock(WorkerBlock.AutoDrained, false);
            lock (_drainLock)
                Drain.Forget(name);
        }
        // Undrained: waiters may take its slots. Drained: waiters left with no eligible worker hear so now.
        Admission.Dispatch();
        Log.ManualDrain(_log, name, drained ? "drained" : "undrained");
        return true;
    }

    /// <summary>Closes a judging window on every worker and applies the drain decisions.</summary>
    internal void CloseWindow(double seconds)
    {
        var s = Current;
        var windows = new List<WorkerWindow>(s.Workers.Length);
        foreach (var w in s.Workers)
        {
            var sample = w.Meter.CloseWindow(seconds, w.InFlight);
            windows.Add(new WorkerWindow(w.Name, w.Config.Price.DollarsPerHour, sample, w.Meter.DecodeTokensPerSecond, w.Eligible));
        }
        IReadOnlyList<DrainDecision> decisions;
        lock (_drainLock)
            decisions = Drain.OnWindow(s.Config.Drain, windows);
        foreach (var d in decisions)
        {
            Worker(d.Worker)?.SetBlock(WorkerBlock.AutoDrained, true);
            Log.Drained(_log, d.Worker, d.Reason);
        }
        if (decisions.Count > 0)
            Admission.Dispatch();
    }

    internal void SampleLoad()
    {
        foreach (var w in Current.Workers)
            w.Meter.SampleInFlight(w.InFlight);
    }

    internal double? RequiredProbeSpeed(string worker)
    {
        lock (_drainLock)
            return Drain.RequiredProbeSpeed(worker);
    }

    internal void ProbeResult(string worker, double? decodeTokensPerSecond)
    {
        DrainDecision? d;
        lock (_drainLock)
            d = Drain.OnProbe(Current.Config.Drain, worker, decodeTokensPerSecond);
        if (d is null)
            return;
        Worker(worker)?.SetBlock(WorkerBlock.AutoDrained, false);
        Log.Readmitted(_log, worker, d.Reason);
        Admission.Dispatch();
    }

    internal void HealthResult(WorkerState w, bool ok, string? why)
    {
        var cfg = Current.Config.Health;
        if (ok)
        {
            if (w.RecordSuccess(cfg.SuccessesToReadmit))
            {
                Log.HealthBack(_log, w.Name);
                Admission.Dispatch();
            }
        }
        else if (w.RecordFailure(cfg.FailuresToEject))
        {
            Log.Ejected(_log, w.Name, cfg.FailuresToEject, why, cfg.Interval.TotalSeconds);
            Admission.Dispatch();
        }
    }
}
