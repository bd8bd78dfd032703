using Tpd.Bench.Load;
using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.Simulation.Time;
using Tpd.Simulation.Workloads;

namespace Tpd.Bench.Prediction;

/// <summary>
/// The workload a bench run measured, replayed on the simulator: the same requests (input tokens as the server
/// counted them, output tokens as asked), in the same order, under the same load shape. Open loop (rate or trace):
/// each request arrives at its measured due time, held back while a concurrency cap is full. Closed loop: the same
/// number of clients, each sending the next request when its last one ends. Sessions: the same number of sessions
/// in flight, each turn a measured think time after the last reply, every turn of a session on one content stream
/// (so the simulator's prefix cache sees the history), and a shared prefix on one stream shared by all.
/// </summary>
public sealed class MeasuredWorkload : IWorkload
{
    private readonly Item[] _items;
    private readonly List<Item[]> _sessions;
    private readonly LoadPlan _plan;
    private readonly int _sharedPrefixTokens;
    private readonly Queue<int> _held = new();
    private long _prefixStream;
    private long[] _sessionStreams = [];
    private int _next;
    private int _inFlight;

    public MeasuredWorkload(IReadOnlyList<RequestRecord> records, LoadPlan plan, int sharedPrefixTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(plan);
        var run = records.Where(r => !r.Warmup).OrderBy(r => r.Id).ToList();
        if (run.Count == 0)
            throw new ArgumentException("no measured requests to replay", nameof(records));
        var t0 = run.Min(r => r.ScheduledSeconds);
        _items = [.. run.Select(r => new Item(
            Math.Max(1, r.InputTokens),
            Math.Max(1, r.RequestedOutputTokens ?? r.OutputTokens),
            r.ScheduledSeconds - t0,
            (r.EndSeconds ?? r.LastTokenSeconds ?? r.SendSeconds) - t0,
            r.SessionId,
            r.Turn ?? 0))];
        _sessions = plan.Sessions is null
            ? []
            : [.. _items.GroupBy(i => i.Session ?? "").Select(g => g.OrderBy(i => i.Turn).ToArray())];
        _plan = plan;
        _sharedPrefixTokens = sharedPrefixTokens;
    }

    public int Count => _items.Length;

    public void Start(IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _prefixStream = _sharedPrefixTokens > 0 ? context.NewStreamId() : 0;
        if (_plan.IsOpenLoop)
        {
            context.ScheduleTimer(SimTime.FromSeconds(_items[0].Due), 0);
        }
        else if (_plan.Sessions is not null)
        {
            _sessionStreams = [.. _sessions.Select(_ => context.NewStreamId())];
            for (var i = 0; i < Math.Min(_plan.Concurrency ?? 1, _sessions.Count); i++)
                SubmitTurn(context, _next++, 0);
        }
        else
        {
            for (var i = 0; i < Math.Min(_plan.Concurrency ?? 1, _items.Length); i++)
                Submit(context, _next++);
        }
    }

    public void OnTimer(long token, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_plan.Sessions is not null)
        {
            SubmitTurn(context, (int)(token >> 16), (int)(token & 0xFFFF));
            return;
        }

        // Open loop: the request is due; send it, or hold it while the cap is full.
        var index = (int)token;
        if (_plan.Concurrency is { } cap && _inFlight >= cap)
            _held.Enqueue(index);
        else
            Submit(context, index);
        if (index + 1 < _items.Length)
            context.ScheduleTimer(SimTime.FromSeconds(_items[index + 1].Due), index + 1);
    }

    public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _inFlight--;
        if (_plan.IsOpenLoop)
        {
            if (_held.Count > 0)
                Submit(context, _held.Dequeue());
        }
        else if (_plan.Sessions is not null)
        {
            var session = (int)(request.Spec.Tag >> 16);
            var turn = (int)(request.Spec.Tag & 0xFFFF);
            var turns = _sessions[session];
            if (turn + 1 < turns.Length && !request.Rejected)
            {
                // The think time the bench waited: the next turn's due time minus this turn's end.
                var think = Math.Max(0, turns[turn + 1].Due - turns[turn].End);
                context.ScheduleTimer(context.Now + Duration.FromSeconds(think), ((long)session << 16) | (long)(turn + 1));
            }
            else if (_next < _sessions.Count)
            {
                SubmitTurn(context, _next++, 0);
            }
        }
        else if (_next < _items.Length)
        {
            Submit(context, _next++);
        }
    }

    private void Submit(IWorkloadContext context, int index)
    {
        var item = _items[index];
        _inFlight++;
        context.Submit(new RequestSpec
        {
            InputTokens = _sharedPrefixTokens > 0 ? Math.Max(item.Input, _sharedPrefixTokens + 1) : item.Input,
            OutputTokens = item.Output,
            SharedPrefixStream = _prefixStream,
            SharedPrefixTokens = _sharedPrefixTokens,
            Session = -1,
            Tag = index,
            ScheduledSeconds = _plan.IsOpenLoop ? item.Due : null,
        });
    }

    private void SubmitTurn(IWorkloadContext context, int session, int turn)
    {
        var item = _sessions[session][turn];
        _inFlight++;
        context.Submit(new RequestSpec
        {
            InputTokens = _sharedPrefixTokens > 0 ? Math.Max(item.Input, _sharedPrefixTokens + 1) : item.Input,
            OutputTokens = item.Output,
            Stream = _sessionStreams[session],
            SharedPrefixStream = _prefixStream,
            SharedPrefixTokens = _sharedPrefixTokens,
            Session = session,
            Tag = ((long)session << 16) | (long)turn,
        });
    }

    /// <summary>A measured request: lengths, due and end times in seconds from the first due time, session and turn.</summary>
    private sealed record Item(int Input, int Output, double Due, double End, string? Session, int Turn);
}
