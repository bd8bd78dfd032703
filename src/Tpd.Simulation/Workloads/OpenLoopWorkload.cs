using Tpd.Simulation.Randomness;
using Tpd.Simulation.Time;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// Independent single-turn requests at precomputed times (open loop: arrivals do not wait for the server), drawn one
/// ahead. An optional shared prefix (a system prompt or RAG instructions) of <paramref name="sharedPrefixTokens"/> is
/// prepended to every prompt and hits the prefix cache once warm.
/// </summary>
public sealed class OpenLoopWorkload(ArrivalProcess arrivals, RequestLengths lengths, DiurnalCurve? diurnal = null, int sharedPrefixTokens = 0) : IWorkload
{
    private SimRandom? _arrivalRandom;
    private SimRandom? _lengthRandom;
    private long _prefixStream;
    private double _next;

    public void Start(IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(sharedPrefixTokens);
        _arrivalRandom = context.Random(RandomStreams.Arrivals);
        _lengthRandom = context.Random(RandomStreams.Lengths);
        _prefixStream = sharedPrefixTokens > 0 ? context.NewStreamId() : 0;
        _next = 0;
        ScheduleNext(context);
    }

    public void OnTimer(long token, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (input, output) = lengths.Sample(_lengthRandom!);
        context.Submit(new RequestSpec
        {
            InputTokens = sharedPrefixTokens + input,
            OutputTokens = output,
            SharedPrefixStream = _prefixStream,
            SharedPrefixTokens = sharedPrefixTokens,
            Session = -1,
        });
        ScheduleNext(context);
    }

    public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
    {
    }

    private void ScheduleNext(IWorkloadContext context)
    {
        var gap = arrivals.NextGap(_arrivalRandom!);
        _next = diurnal is null ? _next + gap : diurnal.Advance(_next, gap);
        if (_next <= context.Horizon.Seconds)
            context.ScheduleTimer(SimTime.FromSeconds(_next), 0);
    }
}
