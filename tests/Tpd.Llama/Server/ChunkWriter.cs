using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tpd.Llama.Server;

/// <summary>
/// The frames of one streamed response as vLLM's OpenAI server writes them: "data: {json}\n\n" per chunk
/// (text_completion or chat.completion.chunk objects), for chat a role-only first chunk, one chunk per token with
/// finish_reason on the last, with stream_options.include_usage a usage-only chunk with "choices": [], then
/// "data: [DONE]\n\n". Text is written as UTF-8, not \u escapes, as Python's JSON output from vLLM is.
/// </summary>
internal sealed class ChunkWriter(PipeWriter pipe, string id, string model, long created, bool chat) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(pipe, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The first chat chunk: role "assistant", empty content.</summary>
    public void Role()
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", 0);
        _json.WriteStartObject("delta");
        _json.WriteString("role", "assistant");
        _json.WriteString("content", "");
        _json.WriteEndObject();
        _json.WriteNull("logprobs");
        _json.WriteNull("finish_reason");
        _json.WriteEndObject();
        _json.WriteEndArray();
        End();
    }

    /// <summary>One token's text; <paramref name="finish"/> on the last.</summary>
    public void Token(string text, string? finish)
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", 0);
        if (chat)
        {
            _json.WriteStartObject("delta");
            _json.WriteString("content", text);
            _json.WriteEndObject();
        }
        else
        {
            _json.WriteString("text", text);
        }

        _json.WriteNull("logprobs");
        if (finish is null)
            _json.WriteNull("finish_reason");
        else
            _json.WriteString("finish_reason", finish);
        if (finish is not null || !chat)
            _json.WriteNull("stop_reason");
        _json.WriteEndObject();
        _json.WriteEndArray();
        End();
    }

    /// <summary>The usage-only chunk that stream_options.include_usage asks for.</summary>
    public void Usage(int prompt, int completion)
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        Responses.WriteUsage(_json, prompt, completion);
        End();
    }

    /// <summary>An error after the 200 headers went out: one "data: {"error": ...}" frame, as vLLM sends.</summary>
    public void Error(ApiError error)
    {
        pipe.Write("data: "u8);
        _json.Reset(pipe);
        error.Write(_json);
        _json.Flush();
        pipe.Write("\n\n"u8);
    }

    public void Done() => pipe.Write("data: [DONE]\n\n"u8);

    public void Dispose() => _json.Dispose();

    private void Begin()
    {
        pipe.Write("data: "u8);
        _json.Reset(pipe);
        _json.WriteStartObject();
        _json.WriteString("id", id);
        _json.WriteString("object", chat ? "chat.completion.chunk" : "text_completion");
        _json.WriteNumber("created", created);
        _json.WriteString("model", model);
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        pipe.Write("\n\n"u8);
    }
}
