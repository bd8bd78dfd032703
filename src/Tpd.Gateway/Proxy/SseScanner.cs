using System.Text.Json;

namespace Tpd.Gateway.Proxy;

/// <summary>What one SSE event is, decided by a few vectorised substring searches rather than a JSON parse.</summary>
public enum SseKind
{
    /// <summary>Comment, role-only delta, empty text: forwarded, not counted.</summary>
    Other,

    /// <summary>Carries generated text (content, reasoning or tool calls): one token for live counting.</summary>
    Token,

    /// <summary>The final usage chunk: `choices` empty, `usage` set.</summary>
    UsageOnly,

    /// <summary>`data: {"error": ...}` inside a 200 stream.</summary>
    Error,

    /// <summary>`data: [DONE]`.</summary>
    Done,
}

/// <summary>
/// Finds event boundaries in an SSE byte stream and classifies events. Handles LF and CRLF line ends, `data:`
/// with or without a space, and events split across reads (the caller keeps the incomplete tail).
/// </summary>
public static class SseScanner
{
    /// <summary>Length of the first complete event in <paramref name="buffer"/> including its blank line; -1 when incomplete.</summary>
    public static int NextEventLength(ReadOnlySpan<byte> buffer)
    {
        var from = 0;
        while (true)
        {
            var nl = buffer[from..].IndexOf((byte)'\n');
            if (nl < 0)
                return -1;
            var at = from + nl + 1;
            if (at < buffer.Length && buffer[at] == (byte)'\n')
                return at + 1;
            if (at + 1 < buffer.Length && buffer[at] == (byte)'\r' && buffer[at + 1] == (byte)'\n')
                return at + 2;
            if (at >= buffer.Length || (at + 1 >= buffer.Length && buffer[at] == (byte)'\r'))
                return -1;
            from = at;
        }
    }

    /// <summary>The data payload of an event (first `data:` line, without the space), empty when none.</summary>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> ev)
    {
        var i = 0;
        while (i < ev.Length)
        {
            var line = ev[i..];
            var end = line.IndexOf((byte)'\n');
            if (end >= 0)
                line = line[..end];
            if (line.Length > 0 && line[^1] == (byte)'\r')
                line = line[..^1];
            if (line.StartsWith("data:"u8))
            {
                var payload = line[5..];
                return payload.Length > 0 && payload[0] == (byte)' ' ? payload[1..] : payload;
            }
            if (end < 0)
                break;
            i += end + 1;
        }
        return [];
    }

    public static SseKind Classify(ReadOnlySpan<byte> ev)
    {
        var data = Data(ev);
        if (data.IsEmpty)
            return SseKind.Other;
        if (data[0] == (byte)'[')
            return data.StartsWith("[DONE]"u8) ? SseKind.Done : SseKind.Other;
        if (StartsWithKey(data, "\"error\""u8))
            return SseKind.Error;
        if (HasNonEmpty(data, "\"content\":\""u8) || HasNonEmpty(data, "\"content\": \""u8)
            || HasNonEmpty(data, "_content\":\""u8) || HasNonEmpty(data, "\"reasoning\":\""u8)
            || HasNonEmpty(data, "\"text\":\""u8) || HasNonEmpty(data, "\"text\": \""u8)
            || data.IndexOf("\"tool_calls\""u8) >= 0)
        {
            return SseKind.Token;
        }
        if ((data.IndexOf("\"choices\":[]"u8) >= 0 || data.IndexOf("\"choices\": []"u8) >= 0) && data.IndexOf("\"usage\""u8) >= 0)
            return SseKind.UsageOnly;
        return SseKind.Other;
    }

    /// <summary>prompt_tokens and completion_tokens of the `usage` object in a JSON payload; (-1, -1) when absent.</summary>
    public static (long Prompt, long Completion) Usage(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf("\"usage\""u8);
        if (at < 0)
            return (-1, -1);
        var brace = json[(at + 7)..].IndexOf((byte)'{');
        if (brace < 0)
            return (-1, -1);
        var reader = new Utf8JsonReader(json[(at + 7 + brace)..], isFinalBlock: false, state: default);
        long prompt = -1, completion = -1;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                    break;
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
                    var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
                    {
                        if (isPrompt)
                            prompt = n;
                        else if (isCompletion)
                            completion = n;
                    }
                    else if (!reader.TrySkip())
                    {
                        break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The reader starts mid-document; anything odd means no usable usage.
        }
        return (prompt, completion);
    }

    private static bool StartsWithKey(ReadOnlySpan<byte> data, ReadOnlySpan<byte> key)
    {
        var t = data.TrimStart(" \t"u8);
        if (t.Length == 0 || t[0] != (byte)'{')
            return false;
        return t[1..].TrimStart(" \t"u8).StartsWith(key);
    }

    private static bool HasNonEmpty(ReadOnlySpan<byte> data, ReadOnlySpan<byte> prefix)
    {
        var at = data.IndexOf(prefix);
        while (at >= 0)
        {
            var next = at + prefix.Length;
            if (next < data.Length && data[next] != (byte)'"')
                return true;
            var rest = data[next..].IndexOf(prefix);
            if (rest < 0)
                return false;
            at = next + rest;
        }
        return false;
    }
}
