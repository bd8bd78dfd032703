using Tpd.Gateway.Metrics;

namespace Tpd.Gateway.Metering;

/// <summary>One closed judging window of a worker: what it delivered and how loaded it was.</summary>
public readonly record struct WindowSample(
    double Seconds,
    double OutputTokensPerSecond,
    double InputTokensPerSecond,
    double MeanInFlight,
    long Requests,
    long Errors)
{
    public double ErrorRatio => Requests == 0 ? 0 : (double)Errors / Requests;
}

/// <summary>
/// Counters of one worker, written lock-free from the proxy's hot path and read by /metrics and the window tick.
/// Output tokens are counted live from token-bearing SSE events and corrected by the usage chunk at the end,
/// so windowed tokens/s follow the stream instead of jumping when long requests finish.
/// </summary>
public sealed class WorkerMeter
{
    private readonly long[] _outcomes = new long[OutcomeNames.Count];
    private long _outputTokens;
    private long _inputTokens;
    private long _requests;
    private long _errors;

    // Window state: touched only by the window tick.
    private long _windowStartTokensOut;
    private long _windowStartTokensIn;
    private long _windowStartRequests;
    private long _windowStartErrors;
    private double _inFlightSampleSum;
    private int _inFlightSamples;

    // Per-stream decode speed (1/TPOT), exponentially weighted; bits of a double.
    private long _decodeSpeedBits;

    public Histogram Ttft { get; } = new(Histogram.LatencyBuckets);
    public Histogram Tpot { get; } = new(Histogram.TokenBuckets);
    public Histogram E2e { get; } = new(Histogram.LatencyBuckets);

    public long OutputTokens => Volatile.Read(ref _outputTokens);
    public long InputTokens => Volatile.Read(ref _inputTokens);
    public long Requests => Volatile.Read(ref _requests);
    public long OutcomeCount(Outcome o) => Volatile.Read(ref _outcomes[(int)o]);

    /// <summary>The last closed window; default until one closes.</summary>
    public WindowSample LastWindow { get; private set; }

    /// <summary>Tokens/s one stream gets (1/TPOT), smoothed over recent requests; 0 before any multi-token stream.</summary>
    public double DecodeTokensPerSecond => BitConverter.Int64BitsToDouble(Volatile.Read(ref _decodeSpeedBits));

    public void AddOutputTokens(long n) => Interlocked.Add(ref _outputTokens, n);
    public void AddInputTokens(long n) => Interlocked.Add(ref _inputTokens, n);

    public void Finish(Outcome outcome)
    {
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        Interlocked.Increment(ref _requests);
        if (outcome is Outcome.UpstreamFailed or Outcome.StreamError)
            Interlocked.Increment(ref _errors);
    }

    /// <summary>Records a failed attempt that was retried elsewhere: an error of this worker, not an outcome of the request.</summary>
    public void FailedAttempt()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _errors);
    }

    public void ObserveStream(double ttftSeconds, double e2eSeconds, long outputTokens)
    {
        Ttft.Observe(ttftSeconds);
        E2e.Observe(e2eSeconds);
        if (outputTokens >= 2 && e2eSeconds > ttftSeconds)
        {
            var tpot = (e2eSeconds - ttftSeconds) / (outputTokens - 1);
            Tpot.Observe(tpot);
            ObserveDecodeSpeed(1 / tpot);
        }
    }

    internal void ObserveDecodeSpeed(double tokensPerSecond)
    {
        // Weight 0.2: about the last five requests, so a slowdown shows within a window of traffic.
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _decodeSpeedBits);
            var old = BitConverter.Int64BitsToDouble(seen);
            var updated = old == 0 ? tokensPerSecond : (0.8 * old) + (0.2 * tokensPerSecond);
            next = BitConverter.DoubleToInt64Bits(updated);
        }
        while (Interlocked.CompareExchange(ref _decodeSpeedBits, next, seen) != seen);
    }

    /// <summary>Called a few times per window by the tick, to average the load.</summary>
    internal void SampleInFlight(int inFlight)
    {
        _inFlightSampleSum += inFlight;
        _inFlightSamples++;
    }

    /// <summary>Closes the window and starts the next one.</summary>
    internal WindowSample CloseWindow(double seconds, int inFlightNow)
    {
        var tokensOut = OutputTokens;
        var tokensIn = InputTokens;
        var requests = Requests;
        var errors = Volatile.Read(ref _errors);
        var meanInFlight = _inFlightSamples == 0 ? inFlightNow : _inFlightSampleSum / _inFlightSamples;
        var sample = new WindowSample(
            seconds,
            Math.Max(0, tokensOut - _windowStartTokensOut) / seconds,
            Math.Max(0, tokensIn - _windowStartTokensIn) / seconds,
            meanInFlight,
            requests - _windowStartRequests,
            errors - _windowStartErrors);
        _windowStartTokensOut = tokensOut;
        _windowStartTokensIn = tokensIn;
        _windowStartRequests = requests;
        _windowStartErrors = errors;
        _inFlightSampleSum = 0;
        _inFlightSamples = 0;
        LastWindow = sample;
        return sample;
    }
}
