using System.Globalization;

namespace Tpd.Bench.Progress;

/// <summary>
/// The live status line on stderr: "[rate 4/s] 120/500 done, 8 in flight, 3.9 req/s, 0 errors, 1,234 tok/s, 31 s".
/// Written with a carriage return so it overwrites itself on a terminal, about once a second; never when stderr is
/// redirected (a log file would fill with hundreds of lines nobody reads).
/// </summary>
public sealed class ProgressLine : IAsyncDisposable
{
    /// <summary>Once a second: often enough to watch a run move, rarely enough to cost nothing.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _writer;
    private readonly LoadProgress _progress;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _lastLength;
    private int _disposed;

    public ProgressLine(TextWriter writer, LoadProgress progress, bool enabled, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        _writer = writer;
        _progress = progress;
        Enabled = enabled;
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    public bool Enabled { get; }

    /// <summary>Starts updating in the background (nothing happens when disabled).</summary>
    public void Start()
    {
        if (Enabled && _loop is null)
            _loop = LoopAsync(_stop.Token);
    }

    /// <summary>Writes the line once now (the loop calls this every <see cref="Interval"/>).</summary>
    public void Tick()
    {
        if (!Enabled)
            return;
        var text = Format(_progress.Snapshot(_time.GetElapsedTime(_start).TotalSeconds));
        lock (_writer)
        {
            // Pad over the remains of a longer previous line.
            _writer.Write("\r" + text.PadRight(_lastLength));
            _writer.Flush();
            _lastLength = text.Length;
        }
    }

    /// <summary>Clears the line so the report starts on a clean row.</summary>
    public void Clear()
    {
        if (!Enabled || _lastLength == 0)
            return;
        lock (_writer)
        {
            _writer.Write("\r" + new string(' ', _lastLength) + "\r");
            _writer.Flush();
            _lastLength = 0;
        }
    }

    public static string Format(ProgressSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var inv = CultureInfo.InvariantCulture;
        var label = s.Label is null ? "" : $"[{s.Label}] ";
        var done = s.Target is { } t ? $"{s.Done.ToString("N0", inv)}/{t.ToString("N0", inv)}" : s.Done.ToString("N0", inv);
        var warm = s.Done == 0 && s.WarmupDone > 0 ? $" ({s.WarmupDone} warm-up)" : "";
        return string.Create(inv, $"{label}{done} done{warm}, {s.InFlight} in flight, {s.RequestsPerSecond:0.0} req/s, {s.Errors} errors, {s.TokensPerSecond:N0} tok/s, {s.ElapsedSeconds:0} s");
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                Tick();
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>Stops the updates and clears the line; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        Clear();
        _stop.Dispose();
    }
}
