using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Simulation.Time;

namespace Tpd.Simulation.Workloads;

/// <summary>One line of a replay trace: <c>{"arrival_seconds": 0.5, "input_tokens": 812, "output_tokens": 120, "session_id": "u7"}</c> (session optional).</summary>
public sealed record TraceEntry(
    [property: JsonPropertyName("arrival_seconds")] double ArrivalSeconds,
    [property: JsonPropertyName("input_tokens")] int InputTokens,
    [property: JsonPropertyName("output_tokens")] int OutputTokens,
    [property: JsonPropertyName("session_id")] string? SessionId = null);

[JsonSerializable(typeof(TraceEntry))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip)]
internal sealed partial class TraceJsonContext : JsonSerializerContext;

/// <summary>
/// Replays a trace: each entry is sent at its arrival time. Entries with the same session id share one content
/// stream (each prompt is taken to extend the session's earlier turns, as chat traces do), and are routed by
/// session affinity when that policy is on.
/// </summary>
public sealed class TraceReplayWorkload : IWorkload
{
    private readonly TraceEntry[] _entries;
    private readonly Dictionary<string, (long Stream, long Session)> _sessions = new(StringComparer.Ordinal);

    public TraceReplayWorkload(IEnumerable<TraceEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries.OrderBy(e => e.ArrivalSeconds)];
    }

    public int Count => _entries.Length;

    /// <summary>
    /// Reads JSONL (one entry per line; blank lines and lines starting with # skipped). Every bad line is reported at
    /// once, by line number.
    /// </summary>
    public static IReadOnlyList<TraceEntry> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<TraceEntry>();
        var errors = new List<string>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
                continue;
            TraceEntry? entry = null;
            try
            {
                entry = JsonSerializer.Deserialize(text, TraceJsonContext.Default.TraceEntry);
            }
            catch (JsonException e)
            {
                errors.Add($"line {lineNumber}: not a JSON object ({e.Message}); expected {{\"arrival_seconds\": 0.5, \"input_tokens\": 812, \"output_tokens\": 120}}.");
                continue;
            }

            if (entry is null || !(entry.ArrivalSeconds >= 0 && double.IsFinite(entry.ArrivalSeconds)) || entry.InputTokens < 1 || entry.OutputTokens < 1)
            {
                errors.Add($"line {lineNumber}: '{text}' needs arrival_seconds >= 0, input_tokens >= 1 and output_tokens >= 1.");
                continue;
            }

            entries.Add(entry);
        }

        if (errors.Count > 0)
            throw new FormatException("invalid trace:\n  " + string.Join("\n  ", errors));
        return entries;
    }

    public void Start(IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_entries.Length > 0)
            context.ScheduleTimer(SimTime.FromSeconds(_entries[0].ArrivalSeconds), 0);
    }

    public void OnTimer(long token, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var e = _entries[token];
        long stream = 0, session = -1;
        if (e.SessionId is { } id)
        {
            if (!_sessions.TryGetValue(id, out var s))
            {
                s = (context.NewStreamId(), _sessions.Count);
                _sessions[id] = s;
            }

            (stream, session) = s;
        }

        context.Submit(new RequestSpec
        {
            InputTokens = e.InputTokens,
            OutputTokens = e.OutputTokens,
            Stream = stream,
            Session = session,
            ScheduledSeconds = e.ArrivalSeconds,
        });
        if (token + 1 < _entries.Length)
            context.ScheduleTimer(SimTime.FromSeconds(_entries[token + 1].ArrivalSeconds), token + 1);
    }

    public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
    {
    }
}
