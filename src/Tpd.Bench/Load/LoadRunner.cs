using System.Diagnostics;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Load;

/// <summary>
/// Drives an <see cref="IRequestSender"/> by a <see cref="LoadPlan"/>: warm-up first (closed loop, marked and
/// excluded), then the measured phase in closed or open loop. Each record is handed to <see cref="OnRecord"/>
/// as its request finishes (the JSONL writer), so an interrupted run keeps what it measured.
/// </summary>
public sealed class LoadRunner
{
    private readonly IRequestSender _sender;
    private readonly IRequestSource _source;
    private readonly RunClock _clock;
    private readonly TimeProvider _time;
    private readonly List<RequestRecord> _records = [];
    private readonly Lock _recordsLock = new();
    private long _nextId;

    public LoadRunner(IRequestSender sender, IRequestSource source, RunClock clock, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(clock);
        _sender = sender;
        _source = source;
        _clock = clock;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Called once per finished request, from many threads at once.</summary>
    public Func<RequestRecord, CancellationToken, Task>? OnRecord { get; init; }

    /// <summary>Runs the plan. Cancellation stops dispatching; requests in flight end as "cancelled" records.</summary>
    /// <exception cref="ArgumentException">The plan is invalid; the message lists every problem.</exception>
    public async Task<LoadResult> RunAsync(LoadPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = plan.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid load plan: " + string.Join("; ", errors), nameof(plan));

        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var wall0 = _clock.NowSeconds();

        if (plan.Warmup > 0)
            await ClosedLoopAsync(Math.Min(plan.Warmup, plan.Concurrency ?? 1), plan.Warmup, null, warmup: true, cancellationToken).ConfigureAwait(false);

        var start = _clock.NowSeconds();
        double? deadline = plan.MaxDuration is { } d ? start + d.TotalSeconds : null;
        if (plan.IsOpenLoop)
            await OpenLoopAsync(plan, start, deadline, cancellationToken).ConfigureAwait(false);
        else
            await ClosedLoopAsync(plan.Concurrency!.Value, plan.MaxRequests, deadline, warmup: false, cancellationToken).ConfigureAwait(false);

        process.Refresh();
        var client = new ClientLoad(_clock.NowSeconds() - wall0, (process.TotalProcessorTime - cpu0).TotalSeconds, Environment.ProcessorCount);
        List<RequestRecord> records;
        lock (_recordsLock)
            records = [.. _records.OrderBy(r => r.Id)];

        var schedule = ScheduleAdherence.Of(records, plan.LatenessTolerance.TotalSeconds, plan.Rate);
        var warnings = new List<string>();
        var bottleneck = false;
        if (schedule.Flagged)
        {
            var late = $"{schedule.LateShare.Value:P1} of requests were sent more than {plan.LatenessTolerance.TotalMilliseconds:G} ms after they were due (p99 {schedule.P99LatenessSeconds * 1e3:F1} ms)";
            if (plan.IsOpenLoop && plan.Concurrency is { } cap)
            {
                warnings.Add($"{late}: all {cap} concurrency slots were busy, so the server, not the schedule, set the pace");
            }
            else if (plan.IsOpenLoop)
            {
                bottleneck = true;
                warnings.Add($"{late}: the client could not keep up with the schedule; the results understate what the server can take");
            }
        }

        if (plan.IsOpenLoop && schedule.AchievedRate is { } achieved && achieved.Value < plan.Rate!.Value * 0.9 && plan.Concurrency is null)
        {
            bottleneck = true;
            warnings.Add($"achieved {achieved.Value:G4} requests/s against a target of {plan.Rate:G4}: the client fell behind");
        }

        if (client.Flagged)
        {
            bottleneck = true;
            warnings.Add($"client CPU was {client.CpuShare:P0} of {client.Cores} cores: the load generator may be the bottleneck");
        }

        return new LoadResult(records, schedule, client, warnings) { ClientBottleneck = bottleneck };
    }

    private async Task ClosedLoopAsync(int users, int? maxRequests, double? deadline, bool warmup, CancellationToken ct)
    {
        var issued = 0;
        async Task User()
        {
            while (!ct.IsCancellationRequested)
            {
                if (maxRequests is { } max && Interlocked.Increment(ref issued) > max)
                    return;
                var now = _clock.NowSeconds();
                if (deadline is { } end && now >= end)
                    return;
                await SendOneAsync(now, warmup, ct).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, users).Select(_ => Task.Run(User, CancellationToken.None))).ConfigureAwait(false);
    }

    private async Task OpenLoopAsync(LoadPlan plan, double start, double? deadline, CancellationToken ct)
    {
        using var slots = plan.Concurrency is { } cap ? new SemaphoreSlim(cap, cap) : null;
        var inFlight = new List<Task>();
        var sent = 0;
        try
        {
            foreach (var offset in ArrivalSchedule.SendTimes(plan.Arrivals, plan.Rate!.Value, plan.Seed, plan.GammaCv))
            {
                // A dispatcher that wakes late finds several requests already due and sends them at once;
                // it must still stop as soon as the run is cancelled.
                ct.ThrowIfCancellationRequested();
                if (plan.MaxRequests is { } max && sent >= max)
                    break;
                var due = start + offset;
                if (deadline is { } end && due >= end)
                    break;
                await DelayUntilAsync(due, ct).ConfigureAwait(false);
                if (slots is not null)
                    await slots.WaitAsync(ct).ConfigureAwait(false);
                sent++;
                inFlight.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            await SendOneAsync(due, warmup: false, ct).ConfigureAwait(false);
                        }
                        finally
                        {
                            slots?.Release();
                        }
                    },
                    CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stop dispatching; the requests in flight finish (as "cancelled") below.
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    /// <summary>
    /// Sleeps on the timer until 1 ms before the due time, then yields until it: timers fire up to a tick
    /// late, and a late send is lateness the report would blame on the schedule.
    /// </summary>
    private async Task DelayUntilAsync(double due, CancellationToken ct)
    {
        while (true)
        {
            var remaining = due - _clock.NowSeconds();
            if (remaining <= 0)
                return;
            if (remaining > 0.002)
                await Task.Delay(TimeSpan.FromSeconds(remaining - 0.001), _time, ct).ConfigureAwait(false);
            else
                await Task.Yield();
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task SendOneAsync(double scheduled, bool warmup, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId) - 1;
        var record = await _sender.SendAsync(_source.RequestAt(id), id, scheduled, warmup, ct).ConfigureAwait(false);
        lock (_recordsLock)
            _records.Add(record);
        if (OnRecord is { } on)
            await on(record, CancellationToken.None).ConfigureAwait(false);
    }
}
