using Tpd.Simulation.Engine;

namespace Tpd.Twin.Engine;

/// <summary>
/// One request inside a <see cref="LiveEngine"/>, as its caller sees it: output tokens appear as the simulated steps
/// that generate them end on the wall clock. Times are wall seconds since the engine started. Thread-safe: the
/// engine thread publishes, one reader awaits.
/// </summary>
public sealed class LiveRequest
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private volatile int _tokens;
    private volatile bool _finished;

    internal LiveRequest(int inputTokens, int outputTokens, double arrivalSeconds)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        ArrivalSeconds = arrivalSeconds;
    }

    internal SteppedRequest? Stepped { get; set; }

    public int InputTokens { get; }

    /// <summary>Tokens the request will generate if it is not cancelled.</summary>
    public int OutputTokens { get; }

    /// <summary>Output tokens generated so far.</summary>
    public int Tokens => _tokens;

    /// <summary>True once the last token is out, or the request was cancelled.</summary>
    public bool Finished => _finished;

    public bool Cancelled { get; internal set; }

    public double ArrivalSeconds { get; }

    /// <summary>First scheduled into a step (end of queueing); NaN until then.</summary>
    public double ScheduledSeconds { get; internal set; } = double.NaN;

    public double FirstTokenSeconds { get; private set; } = double.NaN;

    public double LastTokenSeconds { get; private set; } = double.NaN;

    /// <summary>Prompt tokens found in the prefix cache when it was admitted (0 until then, or with no block keys).</summary>
    public int CachedPromptTokens { get; internal set; }

    /// <summary>Content keys of its full KV blocks (empty: content of its own).</summary>
    internal long[]? BlockKeys { get; init; }

    /// <summary>Times the scheduler preempted it (recompute).</summary>
    public int Preemptions { get; internal set; }

    /// <summary>Completes when more than <paramref name="seen"/> tokens exist or the request has finished.</summary>
    public Task WaitAsync(int seen, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_tokens > seen || _finished)
                return Task.CompletedTask;
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return cancellationToken.CanBeCanceled ? _waiter.Task.WaitAsync(cancellationToken) : _waiter.Task;
        }
    }

    /// <summary>Tokens so far and when the newest came out, read together.</summary>
    public LiveProgress Progress()
    {
        lock (_lock)
            return new LiveProgress(_tokens, LastTokenSeconds, _finished);
    }

    internal void Publish(int tokens, bool finished, double wallSeconds)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (tokens > _tokens)
            {
                _tokens = tokens;
                if (double.IsNaN(FirstTokenSeconds))
                    FirstTokenSeconds = wallSeconds;
                LastTokenSeconds = wallSeconds;
            }

            if (finished)
                _finished = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }
}

/// <summary>A consistent reading of a request's progress.</summary>
public readonly record struct LiveProgress(int Tokens, double LastTokenSeconds, bool Finished);
