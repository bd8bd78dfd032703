using System.Diagnostics;
using Tpd.Bench.Http;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Progress;
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
    private readonly Lock _orderLock = new();
    private long _nextIndex;
    private long _nextWarmup;

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

    /// <summary>Id of the first request; a sweep gives each point its own range so ids stay unique in one JSONL file.</summary>
    public long FirstId { get; init; }

    /// <summary>Source index of the first measured request; a sweep moves it on per point so no point repeats another's prompts (a prefix-cache hit).</summary>
    public long FirstIndex { get; init; }

    /// <summary>Live counters for the progress line; null: none kept.</summary>
    public LoadProgress? Progress { get; init; }

    /// <summary>Runs the plan. Cancellation stops dispatching; requests in flight end as "cancelled" records.</summary>
    /// <exception cref="ArgumentException">The plan is invalid; the message lists every problem.</exception>
    public async Task<LoadResult> RunAsync(LoadPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = plan.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid load plan: " + string.Join("; ", errors), nameof(plan));

        if (plan.Sessions is not null && _source is not ChatSessionSource)
            throw new ArgumentException($"sessions need a {nameof(ChatSessionSource)}, got {_source.GetType().Name}", nameof(plan));
        _nextId = FirstId;
        _nextIndex = FirstIndex;

        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var wall0 = _clock.NowSeconds();

        if (plan.Warmup > 0)
            await ClosedLoopAsync(Math.Min(plan.Warmup, plan.Concurrency ?? 1), plan.Warmup, null, warmup: true, cancellationToken).ConfigureAwait(false);

        var start = _clock.NowSeconds();
        double? deadline = plan.MaxDuration is { } d ? start + d.TotalSeconds : null;
        if (plan.IsOpenLoop)
            await OpenLoopAsync(plan, start, deadline, cancellationToken).ConfigureAwait(false);
        else if (plan.Sessions is { } sessions)
            await SessionsAsync((ChatSessionSource)_source, plan.Concurrency!.Value, sessions.MeanThinkSeconds, plan.MaxRequests, deadline, cancellationToken).ConfigureAwait(false);
        else
            await ClosedLoopAsync(plan.Concurrency!.Value, plan.MaxRequests, deadline, warmup: false, cancellationToken).ConfigureAwait(false);

        process.Refresh();
        var client = new ClientLoad(_clock.NowSeconds() - wall0, (process.TotalProcessorTime - cpu0).TotalSeconds, Environment.ProcessorCount);
        List<RequestRecord> records;
        lock (_recordsLock)
            records = [.. _records.OrderBy(r => r.Id)];

        var schedule = ScheduleAdherence.Of(records, plan.LatenessTolerance.TotalSeconds, plan.TargetRate);
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

        if (plan.TargetRate is { } target && schedule.AchievedRate is { } achieved && ScheduledRate(records) is { } scheduled && achieved.Value < scheduled * AchievedRateFlag && plan.Concurrency is null)
        {
            bottleneck = true;
            warnings.Add($"sent {achieved.Value:G4} requests/s where the schedule asked {scheduled:G4} (target {target:G4}): the client fell behind");
        }

        if (client.Flagged)
        {
            bottleneck = true;
            warnings.Add($"client CPU was {client.CpuShare:P0} of {client.Cores} cores: the load generator may be the bottleneck");
        }

        return new LoadResult(records, schedule, client, warnings) { ClientBottleneck = bottleneck };
    }

    /// <summary>
    /// The rate the precomputed schedule itself asked of these requests: (n - 1) / (last t_sched - first t_sched).
    /// A Poisson schedule of 100 requests lands within about 10 % of its nominal rate by chance alone, so sends are
    /// judged against this, not against the nominal rate.
    /// </summary>
    public static double? ScheduledRate(IEnumerable<RequestRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var due = records.Where(r => !r.Warmup).Select(r => r.ScheduledSeconds).ToList();
        if (due.Count < 2)
            return null;
        var span = due.Max() - due.Min();
        return span > 0 ? (due.Count - 1) / span : null;
    }

    /// <summary>An open-loop run that sent below 90 % of its scheduled rate is flagged: 10 % is well beyond timer jitter over a run of 100 requests (a judgment call).</summary>
    public const double AchievedRateFlag = 0.9;

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
            foreach (var offset in plan.SendTimes ?? ArrivalSchedule.SendTimes(plan.Arrivals, plan.Rate!.Value, plan.Seed, plan.GammaCv))
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
                // The request (its prompt and lengths) and its id are fixed here, in schedule order: thread-pool
                // tasks started together may run in any order, and a trace's lengths belong to its send time.
                var (request, id) = Next(warmup: false);
                inFlight.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            await SendAsync(request, id, due, warmup: false, ct).ConfigureAwait(false);
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

    /// <summary>
    /// Sessions in flight: each slot runs one session after another; a session sends its turns in order, each a think
    /// time after the last reply ended (t_sched = the end of the think time), and stops early after a failed turn.
    /// </summary>
    private async Task SessionsAsync(ChatSessionSource source, int slots, double meanThink, int? maxRequests, double? deadline, CancellationToken ct)
    {
        var issued = 0;
        long nextSession = 0;
        async Task Slot()
        {
            while (!ct.IsCancellationRequested)
            {
                var session = Interlocked.Increment(ref nextSession) - 1;
                var history = source.Start();
                for (var turn = 0; turn < source.Turns && !ct.IsCancellationRequested; turn++)
                {
                    if (turn > 0)
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(source.ThinkSeconds(session, turn, meanThink)), _time, ct).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }

                    if (maxRequests is { } max && Interlocked.Increment(ref issued) > max)
                        return;
                    var now = _clock.NowSeconds();
                    if (deadline is { } end && now >= end)
                        return;
                    var request = source.TurnRequest(session, turn, history);
                    var record = await SendAsync(request, now, warmup: false, ct).ConfigureAwait(false);
                    if (record.Outcome != RequestOutcome.Ok)
                        break;
                    source.AddReply(history, session, turn, record.OutputTokens);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, slots).Select(_ => Task.Run(Slot, CancellationToken.None))).ConfigureAwait(false);
    }

    private Task<RequestRecord> SendOneAsync(double scheduled, bool warmup, CancellationToken ct)
    {
        var (request, id) = Next(warmup);
        return SendAsync(request, id, scheduled, warmup, ct);
    }

    /// <summary>The next request of the source and its id, taken together so ids follow the source's order.</summary>
    private (BenchRequest Request, long Id) Next(bool warmup)
    {
        lock (_orderLock)
        {
            var index = warmup ? -Interlocked.Increment(ref _nextWarmup) : Interlocked.Increment(ref _nextIndex) - 1;
            return (_source.RequestAt(index), Interlocked.Increment(ref _nextId) - 1);
        }
    }

    private Task<RequestRecord> SendAsync(BenchRequest request, double scheduled, bool warmup, CancellationToken ct)
    {
        long id;
        lock (_orderLock)
            id = Interlocked.Increment(ref _nextId) - 1;
        return SendAsync(request, id, scheduled, warmup, ct);
    }

    private async Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduled, bool warmup, CancellationToken ct)
    {
        Progress?.Sent();
        var record = await _sender.SendAsync(request, id, scheduled, warmup, ct).ConfigureAwait(false);
        lock (_recordsLock)
            _records.Add(record);
        Progress?.Finished(record);
        if (OnRecord is { } on)
            await on(record, CancellationToken.None).ConfigureAwait(false);
        return record;
    }
}
