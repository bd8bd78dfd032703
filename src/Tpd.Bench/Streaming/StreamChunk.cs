using System.Text.Json;

namespace Tpd.Bench.Streaming;

/// <summary>What one SSE event of an OpenAI-style stream is, for timing purposes.</summary>
public enum ChunkKind
{
    /// <summary>Carries at least one generated token: non-empty text, content, reasoning or tool calls.</summary>
    Token,

    /// <summary>A chunk with choices but nothing generated: the role-only first delta, empty strings, a bare finish_reason.</summary>
    NoToken,

    /// <summary>choices: [] with a usage object, sent after the last token when include_usage is asked.</summary>
    UsageOnly,

    /// <summary>{"error": ...} inside a 200 stream.</summary>
    Error,

    /// <summary>data: [DONE].</summary>
    Done,

    /// <summary>Not JSON, or JSON that is not an object.</summary>
    Malformed,
}

/// <summary>Token counts reported by the server in a usage object.</summary>
public readonly record struct Usage(int PromptTokens, int CompletionTokens, int CachedTokens);

/// <summary>A classified chunk. <see cref="Usage"/> is set on any chunk that carries one (vLLM's continuous_usage_stats puts it on every chunk).</summary>
public readonly record struct StreamChunk(ChunkKind Kind, bool HasContent = false, bool HasReasoning = false, Usage? Usage = null, string? ErrorMessage = null)
{
    /// <summary>
    /// Classifies the data of one event, for /v1/completions (choices[0].text) and /v1/chat/completions
    /// (choices[0].delta.content, reasoning_content, reasoning, tool_calls) alike.
    /// </summary>
    public static StreamChunk Classify(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.AsSpan().Trim().SequenceEqual("[DONE]"))
            return new(ChunkKind.Done);

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return new(ChunkKind.Malformed, ErrorMessage: Truncate(data));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(ChunkKind.Malformed, ErrorMessage: Truncate(data));

            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                return new(ChunkKind.Error, ErrorMessage: ErrorText(error));

            var usage = ReadUsage(root);
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                return new(usage is null ? ChunkKind.NoToken : ChunkKind.UsageOnly, Usage: usage);

            var choice = choices[0];
            var content = NonEmptyString(choice, "text");
            var reasoning = false;
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                content |= NonEmptyString(delta, "content")
                    || (delta.TryGetProperty("tool_calls", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0);
                reasoning = NonEmptyString(delta, "reasoning_content") || NonEmptyString(delta, "reasoning");
            }

            var kind = content || reasoning ? ChunkKind.Token : ChunkKind.NoToken;
            return new(kind, content, reasoning, usage);
        }
    }

    private static bool NonEmptyString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0;

    private static Usage? ReadUsage(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var u) || u.ValueKind != JsonValueKind.Object)
            return null;
        var cached = u.TryGetProperty("prompt_tokens_details", out var d) && d.ValueKind == JsonValueKind.Object ? Int(d, "cached_tokens") : 0;
        return new Usage(Int(u, "prompt_tokens"), Int(u, "completion_tokens"), cached);
    }

    private static int Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

    private static string ErrorText(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? Truncate(m.GetString()!)
            : Truncate(error.GetRawText());

    internal static string Truncate(string s) => s.Length <= 300 ? s : string.Concat(s.AsSpan(0, 300), "...");
}
