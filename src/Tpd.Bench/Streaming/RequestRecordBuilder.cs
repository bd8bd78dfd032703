using Tpd.Core.Measurement;

namespace Tpd.Bench.Streaming;

/// <summary>
/// Turns what happened to one request (send, headers, classified SSE events, failures) into a
/// <see cref="RequestRecord"/> with the MEASURE.md timestamps. Not thread-safe: one per request.
/// </summary>
public sealed class RequestRecordBuilder
{
    private readonly List<double> _gaps = [];
    private readonly List<string> _warnings = [];
    private double? _send, _headers, _first, _firstContent, _last, _end;
    private int? _status;
    private int _tokenEvents;
    private Usage? _usage;
    private bool _done;
    private string? _errorClass, _errorMessage;
    private RequestOutcome? _failure;

    public RequestRecordBuilder(long id, double scheduledSeconds)
    {
        Id = id;
        ScheduledSeconds = scheduledSeconds;
    }

    public long Id { get; }
    public double ScheduledSeconds { get; }

    /// <summary>Prompt tokens known from the request (token-id prompts), used when the server reports no usage.</summary>
    public int? KnownInputTokens { get; init; }

    public int? RequestedOutputTokens { get; init; }
    public bool Warmup { get; init; }
    public bool KeepGaps { get; init; } = true;

    /// <summary>Things the report should say about this request (for example, N_out counted from events).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>True once [DONE] or a failure was seen: the caller stops reading.</summary>
    public bool Finished => _done || _failure is not null;

    public void Sent(double seconds) => _send = seconds;

    public void Headers(double seconds, int status)
    {
        _headers = seconds;
        _status = status;
    }

    /// <summary>A non-2xx response: an error with its status ("http_429") and the start of the body.</summary>
    public void HttpError(double seconds, int status, string body)
    {
        _headers ??= seconds;
        _status = status;
        Fail(RequestOutcome.Error, $"http_{status}", body, seconds);
    }

    /// <summary>
    /// A transport failure or timeout. A connection that dies after tokens started is an incomplete
    /// stream; before that, an error.
    /// </summary>
    public void Failed(double seconds, string errorClass, string message, bool midStream)
    {
        Fail(midStream && _first is not null ? RequestOutcome.Incomplete : RequestOutcome.Error, errorClass, message, seconds);
    }

    /// <summary>Records one event; <paramref name="seconds"/> is its timestamp on the run clock.</summary>
    public ChunkKind Event(SseEvent e, double seconds)
    {
        var chunk = StreamChunk.Classify(e.Data);
        if (chunk.Usage is { } u)
            _usage = u;
        switch (chunk.Kind)
        {
            case ChunkKind.Token:
                if (_last is { } prev && KeepGaps)
                    _gaps.Add(seconds - prev);
                _first ??= seconds;
                if (chunk.HasContent)
                    _firstContent ??= seconds;
                _last = seconds;
                _tokenEvents++;
                break;
            case ChunkKind.Done:
                _done = true;
                _end = seconds;
                break;
            case ChunkKind.Error:
                Fail(RequestOutcome.Error, "error_event", chunk.ErrorMessage ?? "", seconds);
                break;
            case ChunkKind.Malformed:
                Fail(RequestOutcome.Error, "malformed_event", chunk.ErrorMessage ?? "", seconds);
                break;
        }

        return chunk.Kind;
    }

    /// <summary>The stream ended (EOF) at <paramref name="seconds"/>; <paramref name="cutMidEvent"/> when bytes of an unfinished event were left.</summary>
    public void EndOfStream(double seconds, bool cutMidEvent)
    {
        _end ??= seconds;
        if (!_done && _failure is null)
            Fail(RequestOutcome.Incomplete, cutMidEvent ? "cut_mid_event" : "no_done", "the stream ended before data: [DONE]", seconds);
    }

    public RequestRecord Build()
    {
        var outcome = _failure ?? (_done ? RequestOutcome.Ok : RequestOutcome.Incomplete);
        var source = TokenCountSource.Usage;
        int output;
        if (_usage is { } u)
        {
            output = u.CompletionTokens;
        }
        else
        {
            output = _tokenEvents;
            source = TokenCountSource.EventCount;
            if (outcome == RequestOutcome.Ok)
                _warnings.Add($"request {Id}: no usage chunk; N_out = {output} counted from token-bearing events, which undercounts chunks carrying several tokens (ask with stream_options.include_usage)");
        }

        return new RequestRecord
        {
            Id = Id,
            Outcome = outcome,
            ErrorClass = outcome == RequestOutcome.Ok ? null : _errorClass ?? "incomplete",
            ErrorMessage = outcome == RequestOutcome.Ok ? null : _errorMessage,
            HttpStatus = _status,
            ScheduledSeconds = ScheduledSeconds,
            SendSeconds = _send ?? ScheduledSeconds,
            HeadersSeconds = _headers,
            FirstTokenSeconds = _first,
            FirstContentSeconds = _firstContent,
            LastTokenSeconds = _last,
            EndSeconds = _end,
            InputTokens = _usage?.PromptTokens ?? KnownInputTokens ?? 0,
            OutputTokens = output,
            OutputTokensSource = source,
            RequestedOutputTokens = RequestedOutputTokens,
            CachedInputTokens = _usage?.CachedTokens ?? 0,
            InterTokenGaps = _gaps.ToArray(),
            Warmup = Warmup,
        };
    }

    private void Fail(RequestOutcome outcome, string errorClass, string message, double seconds)
    {
        if (_failure is not null)
            return;
        _failure = outcome;
        _errorClass = errorClass;
        _errorMessage = StreamChunk.Truncate(message);
        _end ??= seconds;
    }
}
