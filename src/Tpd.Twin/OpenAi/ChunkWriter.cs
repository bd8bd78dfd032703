using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Tpd.Twin.OpenAi;

/// <summary>
/// Writes the frames of one streamed response exactly as vLLM's OpenAI server does: "data: {json}\n\n" per chunk,
/// chat.completion.chunk or text_completion objects, a role-only first chat chunk, finish_reason on the chunk with
/// the last token, an optional usage-only chunk with "choices": [], and "data: [DONE]\n\n". JSON goes straight into
/// the response pipe through one reused Utf8JsonWriter.
/// </summary>
internal sealed class ChunkWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly string _id;
    private readonly string _model;
    private readonly long _created;
    private readonly bool _chat;

    public ChunkWriter(PipeWriter pipe, string id, string model, long created, bool chat)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, Options);
        _id = id;
        _model = model;
        _created = created;
        _chat = chat;
    }

    /// <summary>The first chat chunk: role "assistant", empty content, no token (usage with 0 completion tokens when continuous).</summary>
    public void Role(int index, int? continuousPromptTokens)
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        _json.WriteStartObject("delta");
        _json.WriteString("role", "assistant");
        _json.WriteString("content", "");
        _json.WriteEndObject();
        _json.WriteNull("logprobs");
        _json.WriteNull("finish_reason");
        _json.WriteEndObject();
        _json.WriteEndArray();
        if (continuousPromptTokens is { } prompt)
            Usage(prompt, 0);
        End();
    }

    /// <summary>One token; <paramref name="finish"/> on the last. <paramref name="usage"/> for continuous_usage_stats.</summary>
    public void Token(int index, ReadOnlySpan<byte> text, string? finish, (int Prompt, int Completion)? usage)
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        if (_chat)
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
        if (finish is not null || !_chat)
            _json.WriteNull("stop_reason");
        _json.WriteEndObject();
        _json.WriteEndArray();
        if (usage is { } u)
            Usage(u.Prompt, u.Completion);
        End();
    }

    /// <summary>
    /// The final usage-only chunk (stream_options.include_usage). <paramref name="cachedTokens"/>: prompt tokens served
    /// from the prefix cache, written as usage.prompt_tokens_details.cached_tokens when given (vLLM with
    /// --enable-prompt-tokens-details and at least one hit; it leaves the field out otherwise).
    /// </summary>
    public void UsageChunk(int prompt, int completion, int? cachedTokens = null)
    {
        Begin();
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        Usage(prompt, completion, cachedTokens);
        End();
    }

    /// <summary>An error inside a 200 stream: one "data: {"error": ...}" frame (then call <see cref="Done"/>).</summary>
    public void Error(ApiError error)
    {
        _pipe.Write("data: "u8);
        _json.Reset(_pipe);
        error.Write(_json);
        _json.Flush();
        _pipe.Write("\n\n"u8);
    }

    public void Done() => _pipe.Write("data: [DONE]\n\n"u8);

    public void Dispose() => _json.Dispose();

    private void Usage(int prompt, int completion, int? cachedTokens = null)
    {
        _json.WriteStartObject("usage");
        _json.WriteNumber("prompt_tokens", prompt);
        _json.WriteNumber("total_tokens", prompt + completion);
        _json.WriteNumber("completion_tokens", completion);
        if (cachedTokens is { } cached)
        {
            _json.WriteStartObject("prompt_tokens_details");
            _json.WriteNumber("cached_tokens", cached);
            _json.WriteEndObject();
        }

        _json.WriteEndObject();
    }

    private void Begin()
    {
        _pipe.Write("data: "u8);
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString("id", _id);
        _json.WriteString("object", _chat ? "chat.completion.chunk" : "text_completion");
        _json.WriteNumber("created", _created);
        _json.WriteString("model", _model);
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n\n"u8);
    }
}
