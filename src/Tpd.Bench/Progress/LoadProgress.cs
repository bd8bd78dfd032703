using Tpd.Core.Measurement;

namespace Tpd.Bench.Progress;

/// <summary>
/// Live counters of a run, updated by the load runner from many threads and read by the progress line. Warm-up
/// requests are counted apart so the line can say "warming up".
/// </summary>
public sealed class LoadProgress
{
    private long _sent;
    private long _done;
    private long _errors;
    private long _outputTokens;
    private long _warmupDone;

    /// <summary>Requests the run means to send (null when only a duration bounds it).</summary>
    public long? Target { get; set; }

    /// <summary>What is running now, e.g. "rate 4.2/s (3 of 6)" in a sweep.</summary>
    public string? Label { get; set; }

    public void Sent() => Interlocked.Increment(ref _sent);

    public void Finished(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Warmup)
        {
            Interlocked.Increment(ref _warmupDone);
            Interlocked.Decrement(ref _sent);
            return;
        }

        Interlocked.Increment(ref _done);
        if (record.Outcome != RequestOutcome.Ok)
            Interlocked.Increment(ref _errors);
        else
            Interlocked.Add(ref _outputTokens, record.OutputTokens);
    }

    /// <summary>Starts a new phase (a sweep point): counts from zero, keeps nothing.</summary>
    public void Reset(long? target, string? label)
    {
        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _done, 0);
        Interlocked.Exchange(ref _errors, 0);
        Interlocked.Exchange(ref _outputTokens, 0);
        Interlocked.Exchange(ref _warmupDone, 0);
        Target = target;
        Label = label;
    }

    public ProgressSnapshot Snapshot(double elapsedSeconds)
    {
        var done = Volatile.Read(ref _done);
        return new ProgressSnapshot(
            Label,
            done,
            Target,
            Math.Max(0, Volatile.Read(ref _sent) - done),
            Volatile.Read(ref _errors),
            Volatile.Read(ref _outputTokens),
            Volatile.Read(ref _warmupDone),
            elapsedSeconds);
    }
}

/// <summary>One reading of the counters; rates are per second of <see cref="ElapsedSeconds"/>.</summary>
public sealed record ProgressSnapshot(string? Label, long Done, long? Target, long InFlight, long Errors, long OutputTokens, long WarmupDone, double ElapsedSeconds)
{
    public double RequestsPerSecond => ElapsedSeconds > 0 ? Done / ElapsedSeconds : 0;
    public double TokensPerSecond => ElapsedSeconds > 0 ? OutputTokens / ElapsedSeconds : 0;
}
