using System.Text;
using System.Text.Json;

namespace Tpd.Bench.Http;

/// <summary>Writes the JSON body of a streaming request, leaving out what the server does not support.</summary>
public static class RequestBody
{
    public static byte[] Write(BenchRequest request, EndpointOptions endpoint, ServerCapabilities caps)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(caps);
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", endpoint.Model);
            if (endpoint.Api == ApiKind.Completions && request.Messages is { } history)
            {
                // Completions take one prompt: the history flattened as a transcript.
                request = request with { PromptText = string.Join("\n", history.Select(m => $"{m.Role}: {m.Content}")), PromptTokenIds = null };
            }

            var useIds = endpoint.Api == ApiKind.Completions && caps.TokenIdPrompts && request.PromptTokenIds is not null;
            if (endpoint.Api == ApiKind.Completions)
            {
                if (useIds)
                {
                    w.WriteStartArray("prompt");
                    foreach (var id in request.PromptTokenIds!)
                        w.WriteNumberValue(id);
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("prompt", PromptText(request));
                }
            }
            else
            {
                w.WriteStartArray("messages");
                foreach (var m in request.Messages ?? [new ChatMessage("user", PromptText(request))])
                {
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    w.WriteString("content", m.Content);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteNumber("max_tokens", request.MaxTokens);
            w.WriteBoolean("stream", true);
            if (caps.UsageChunk)
            {
                w.WriteStartObject("stream_options");
                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
            }

            if (request.IgnoreEos && caps.IgnoreEos)
                w.WriteBoolean("ignore_eos", true);
            if (request.MinTokens is { } min && caps.MinTokens)
                w.WriteNumber("min_tokens", min);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string PromptText(BenchRequest r) =>
        r.PromptText ?? (r.PromptTokenIds is { } ids
            ? string.Join(' ', Enumerable.Repeat("hi", ids.Count))
            : throw new ArgumentException("the request has neither prompt text nor token ids; give one of them", nameof(r)));

    /// <summary>The request body as text, for logs and errors.</summary>
    public static string Describe(byte[] body) => Encoding.UTF8.GetString(body);
}
