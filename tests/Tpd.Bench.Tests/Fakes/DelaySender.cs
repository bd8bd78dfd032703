using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Fakes;

/// <summary>A sender that "serves" each request in a fixed time, without HTTP, and tracks how many are in flight.</summary>
public sealed class DelaySender(RunClock clock, TimeSpan serviceTime) : IRequestSender
{
    private int _inFlight;
    private int _max;

    public int MaxInFlight => Volatile.Read(ref _max);

    public async Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduledSeconds, bool warmup, CancellationToken cancellationToken)
    {
        var send = clock.NowSeconds();
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        var outcome = RequestOutcome.Ok;
        try
        {
            if (serviceTime > TimeSpan.Zero)
                await Task.Delay(serviceTime, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            outcome = RequestOutcome.Incomplete;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        var end = clock.NowSeconds();
        return new RequestRecord
        {
            Id = id,
            Outcome = outcome,
            ErrorClass = outcome == RequestOutcome.Ok ? null : "cancelled",
            ScheduledSeconds = scheduledSeconds,
            SendSeconds = send,
            FirstTokenSeconds = end,
            LastTokenSeconds = end,
            EndSeconds = end,
            InputTokens = request.PromptTokens ?? 0,
            OutputTokens = 1,
            Warmup = warmup,
        };
    }
}
