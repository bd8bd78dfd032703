namespace Tpd.Bench.Streaming;

/// <summary>
/// The run's monotonic clock: raw ticks (Stopwatch ticks for <see cref="TimeProvider.System"/>) and seconds since
/// the run origin. Never the wall clock, which can jump. Tests pass a fake tick source.
/// </summary>
public sealed class RunClock
{
    private readonly Func<long> _ticks;

    public RunClock(Func<long> ticks, long ticksPerSecond)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        _ticks = ticks;
        TicksPerSecond = ticksPerSecond;
        Origin = ticks();
    }

    public static RunClock From(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new RunClock(time.GetTimestamp, time.TimestampFrequency);
    }

    public long Origin { get; }
    public long TicksPerSecond { get; }

    public long Ticks() => _ticks();

    public double Seconds(long ticks) => (ticks - Origin) / (double)TicksPerSecond;

    public double NowSeconds() => Seconds(_ticks());

    /// <summary>The tick at which <paramref name="seconds"/> since the origin falls.</summary>
    public long TicksAt(double seconds) => Origin + (long)Math.Round(seconds * TicksPerSecond);
}
