using System.Text;

namespace Tpd.Bench.Streaming;

/// <summary>
/// Incremental parser of a text/event-stream (WHATWG HTML, "Server-sent events", parsing an event stream):
/// lines end in CRLF, LF or CR; ':' starts a comment (keep-alive pings); "data:" with or without the space;
/// several data lines join with "\n"; a blank line dispatches. Bytes are buffered per line and decoded only when
/// the line is complete, so a UTF-8 character split across reads decodes intact. The clock is read when the
/// blank line is seen, before any JSON parsing, which is the instant MEASURE.md timestamps.
/// </summary>
public sealed class SseParser
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly Func<long> _clock;
    private readonly List<byte> _line = new(256);
    private readonly StringBuilder _data = new();
    private bool _hasData;
    private string? _eventName;
    private bool _lastWasCr;
    private bool _atStart = true;

    public SseParser(Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>True when bytes of an unfinished event are buffered (a stream that ends here was cut mid-event).</summary>
    public bool HasPartialEvent => _line.Count > 0 || _hasData;

    /// <summary>Feeds the next bytes read and appends every event they complete to <paramref name="output"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, List<SseEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!bytes.IsEmpty)
        {
            if (_lastWasCr)
            {
                _lastWasCr = false;
                if (bytes[0] == (byte)'\n')
                {
                    bytes = bytes[1..];
                    continue;
                }
            }

            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                _line.AddRange(bytes);
                return;
            }

            if (_line.Count == 0)
            {
                Line(bytes[..end], output);
            }
            else
            {
                _line.AddRange(bytes[..end]);
                Line(_line.ToArray(), output);
                _line.Clear();
            }

            _lastWasCr = bytes[end] == (byte)'\r';
            bytes = bytes[(end + 1)..];
        }
    }

    private void Line(ReadOnlySpan<byte> line, List<SseEvent> output)
    {
        if (_atStart)
        {
            // A UTF-8 byte-order mark may open the stream; it is not part of the first field name.
            _atStart = false;
            if (line.StartsWith(Bom))
                line = line[Bom.Length..];
        }

        if (line.IsEmpty)
        {
            if (_hasData)
            {
                // The data buffer ends with the "\n" of its last line, which the spec removes.
                var data = _data.ToString(0, _data.Length - 1);
                output.Add(new SseEvent(data, _clock(), _eventName));
            }

            _data.Clear();
            _hasData = false;
            _eventName = null;
            return;
        }

        if (line[0] == (byte)':')
            return;

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
            value = value[1..];

        if (field.SequenceEqual("data"u8))
        {
            _data.Append(Encoding.UTF8.GetString(value)).Append('\n');
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName = Encoding.UTF8.GetString(value);
        }

        // "id" and "retry" do not matter to a benchmark; unknown fields are ignored as the spec says.
    }
}
