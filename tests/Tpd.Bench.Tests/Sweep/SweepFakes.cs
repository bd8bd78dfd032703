using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Sweep;

/// <summary>Synthetic load results for sweep tests: requests at a steady pace with chosen latencies, no HTTP, no clock.</summary>
internal static class SweepFakes
{
    /// <summary>
    /// <paramref name="n"/> ok requests due every 1 / <paramref name="rate"/> s, each sent <paramref name="lateness"/>
    /// late, first token after <paramref name="ttft"/> (growing by <paramref name="ttftGrowth"/> per request), 10 tokens
    /// 10 ms apart; completions spread by <paramref name="completionStretch"/> (1: as sent).
    /// </summary>
    public static LoadResult Result(int n, double rate, double ttft = 0.05, double ttftGrowth = 0, double lateness = 0, double completionStretch = 1, int? cap = null)
    {
        var records = new List<RequestRecord>();
        for (var i = 0; i < n; i++)
        {
            var due = i / rate;
            var send = due + lateness;
            var first = send + ttft + (ttftGrowth * i);
            var last = first + 0.09;
            var end = (last * completionStretch) + 0.001;
            records.Add(new RequestRecord
            {
                Id = i,
                Outcome = RequestOutcome.Ok,
                ScheduledSeconds = due,
                SendSeconds = send,
                FirstTokenSeconds = first,
                LastTokenSeconds = Math.Max(last, end - 0.001),
                EndSeconds = end,
                InputTokens = 100,
                OutputTokens = 10,
                RequestedOutputTokens = 10,
            });
        }

        var schedule = ScheduleAdherence.Of(records, 0.01, rate);
        return new LoadResult(records, schedule, new ClientLoad(10, 1, 4), []);
    }

    public static LoadPlan OpenPlan(double rate, int? cap = null) => new() { Rate = rate, Concurrency = cap, MaxRequests = 100 };
}
