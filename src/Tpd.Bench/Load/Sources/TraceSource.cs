using Tpd.Bench.Http;
using Tpd.Simulation.Workloads;

namespace Tpd.Bench.Load.Sources;

/// <summary>
/// Replays a JSONL trace in the format `tpd simulate` reads (<see cref="TraceReplayWorkload.Parse"/>: one
/// <c>{"arrival_seconds", "input_tokens", "output_tokens", "session_id"?}</c> per line), so one trace drives both.
/// Entries are taken in arrival order; each prompt is random token ids of the entry's exact input length, and
/// entries of one session share their leading tokens (token j is the same for every turn of the session), as the
/// simulator assumes: a later turn extends the earlier ones and can hit the prefix cache.
/// </summary>
public sealed class TraceSource : IRequestSource
{
    private readonly TraceEntry[] _entries;
    private readonly int _seed;

    public TraceSource(IEnumerable<TraceEntry> entries, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries.OrderBy(e => e.ArrivalSeconds)];
        if (_entries.Length == 0)
            throw new ArgumentException("the trace has no entries; give at least one line like {\"arrival_seconds\": 0, \"input_tokens\": 512, \"output_tokens\": 128}", nameof(entries));
        _seed = seed;
    }

    public IReadOnlyList<TraceEntry> Entries => _entries;

    /// <summary>Send times relative to the first arrival (the first request goes at 0), for <see cref="LoadPlan.SendTimes"/>.</summary>
    public IReadOnlyList<double> SendTimes => [.. _entries.Select(e => e.ArrivalSeconds - _entries[0].ArrivalSeconds)];

    public BenchRequest RequestAt(long index)
    {
        // Warm-up (negative index) borrows the lengths of the first entries, with content of its own.
        var e = _entries[index >= 0 ? index % _entries.Length : (-1 - index) % _entries.Length];
        var stream = e.SessionId is { } s && index >= 0 ? Seeds.Hash(s) : index;
        var random = new Random(Seeds.Mix(_seed, stream));
        var ids = new int[e.InputTokens];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = 1000 + random.Next(20_000);
        return new BenchRequest
        {
            PromptTokenIds = ids,
            PromptTokens = ids.Length,
            PromptText = PromptText.Of(new Random(Seeds.Mix(_seed, stream)), e.InputTokens),
            MaxTokens = e.OutputTokens,
            IgnoreEos = true,
            MinTokens = e.OutputTokens,
            SessionId = index >= 0 ? e.SessionId : null,
        };
    }
}
