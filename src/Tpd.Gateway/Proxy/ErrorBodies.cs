using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tpd.Gateway.Proxy;

/// <summary>OpenAI-style error bodies and SSE error frames. Messages are the gateway's own text, never request content.</summary>
internal static class ErrorBodies
{
    public static byte[] Json(string message, string type, int code)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNumber("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>`data: {"error":...}` then `data: [DONE]`: a client mid-stream learns the request failed and the stream is over.</summary>
    public static byte[] StreamFrame(string message, int code)
    {
        var json = Json(message, "upstream_error", code);
        var frame = new byte[6 + json.Length + 2 + 14];
        "data: "u8.CopyTo(frame);
        json.CopyTo(frame.AsSpan(6));
        "\n\ndata: [DONE]\n\n"u8.CopyTo(frame.AsSpan(6 + json.Length));
        return frame;
    }

    public static async Task WriteAsync(HttpResponse response, int status, string message, string type, int? retryAfterSeconds = null)
    {
        if (response.HasStarted)
            return;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (retryAfterSeconds is { } s)
            response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Json(message, type, status);
        await response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
