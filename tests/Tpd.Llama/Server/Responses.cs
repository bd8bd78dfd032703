using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tpd.Llama.Server;

/// <summary>Whole-body JSON responses: errors, non-streamed completions, and the small info endpoints.</summary>
internal static class Responses
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task Json(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using (var w = new Utf8JsonWriter(response.BodyWriter, Options))
        {
            write(w);
        }

        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }

    public static Task Error(HttpResponse response, ApiError error) => Json(response, error.Status, error.Write);

    public static void WriteUsage(Utf8JsonWriter w, int prompt, int completion)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("total_tokens", prompt + completion);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNull("prompt_tokens_details");
        w.WriteEndObject();
    }

    /// <summary>A non-streamed completion: one choice with the whole text, then usage (vLLM's field order).</summary>
    public static void WriteCompletion(Utf8JsonWriter w, string id, string model, long created, bool chat, string text, string finish, int prompt, int completion)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", chat ? "chat.completion" : "text_completion");
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        if (chat)
        {
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", text);
            w.WriteStartArray("tool_calls");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("text", text);
        }

        w.WriteNull("logprobs");
        w.WriteString("finish_reason", finish);
        w.WriteNull("stop_reason");
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, prompt, completion);
        w.WriteEndObject();
    }
}
