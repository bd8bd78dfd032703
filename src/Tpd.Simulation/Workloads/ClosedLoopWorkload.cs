using Tpd.Simulation.Randomness;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// A fixed number of clients, each sending its next request when the previous one finishes (after an optional
/// exponential think time): the closed loop of bench tools' "--concurrency" and of offline batch jobs.
/// </summary>
public sealed class ClosedLoopWorkload : IWorkload
{
    private readonly int _concurrency;
    private readonly RequestLengths _lengths;
    private readonly double _meanThinkSeconds;
    private SimRandom? _lengthRandom;
    private SimRandom? _thinkRandom;

    public ClosedLoopWorkload(int concurrency, RequestLengths lengths, double meanThinkSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (concurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, $"closed-loop concurrency is {concurrency}; it must be at least 1.");
        if (!(meanThinkSeconds >= 0 && double.IsFinite(meanThinkSeconds)))
            throw new ArgumentOutOfRangeException(nameof(meanThinkSeconds), meanThinkSeconds, $"think time is {meanThinkSeconds} s; it must be 0 or more.");
        _concurrency = concurrency;
        _lengths = lengths;
        _meanThinkSeconds = meanThinkSeconds;
    }

    public void Start(IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _lengthRandom = context.Random(RandomStreams.Lengths);
        _thinkRandom = context.Random(RandomStreams.Think);
        for (var i = 0; i < _concurrency; i++)
            Send(context);
    }

    public void OnTimer(long token, IWorkloadContext context) => Send(context);

    public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A client whose request can never fit stops, rather than spin on requests that are all too long.
        if (request.Rejected)
            return;
        if (_meanThinkSeconds > 0)
            context.ScheduleTimer(context.Now + Core.Units.Duration.FromSeconds(_thinkRandom!.NextExponential(_meanThinkSeconds)), 0);
        else
            Send(context);
    }

    private void Send(IWorkloadContext context)
    {
        var (input, output) = _lengths.Sample(_lengthRandom!);
        context.Submit(RequestSpec.Single(input, output));
    }
}
