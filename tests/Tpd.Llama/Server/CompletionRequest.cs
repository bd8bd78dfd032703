using System.Text.Json;

namespace Tpd.Llama.Server;

/// <summary>
/// The fields of a /v1/completions or /v1/chat/completions body this server acts on, read and checked before the
/// engine sees them; every other field is accepted and ignored, as vLLM does with sampling options it does not use.
/// Exactly one of <see cref="PromptText"/>, <see cref="PromptIds"/> and <see cref="Messages"/> is set.
/// </summary>
public sealed class CompletionRequest
{
    public bool Chat { get; private init; }
    public string? Model { get; private init; }
    public bool Stream { get; private init; }
    public bool IncludeUsage { get; private init; }
    public int? MaxTokens { get; private init; }
    public int MinTokens { get; private init; }
    public bool IgnoreEos { get; private init; }
    public float Temperature { get; private init; } = 1f;
    public int? Seed { get; private init; }
    public string? PromptText { get; private init; }
    public IReadOnlyList<int>? PromptIds { get; private init; }
    public IReadOnlyList<(string Role, string Content)>? Messages { get; private init; }

    /// <summary>Reads a body; null with the <paramref name="error"/> to answer when it is not acceptable.</summary>
    public static CompletionRequest? Parse(ReadOnlySpan<byte> body, bool chat, out ApiError? error)
    {
        error = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            return Fail(out error, $"the request body is not valid JSON: {e.Message}", null);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail(out error, "the request body must be a JSON object.", null);

            string? model = null, text = null;
            bool stream = false, includeUsage = false, ignoreEos = false;
            int? maxTokens = null, seed = null;
            var minTokens = 0;
            var temperature = 1f;
            List<int>? ids = null;
            List<(string, string)>? messages = null;
            foreach (var p in root.EnumerateObject())
            {
                var v = p.Value;
                switch (p.Name)
                {
                    case "model" when v.ValueKind != JsonValueKind.Null:
                        if (v.ValueKind != JsonValueKind.String)
                            return Fail(out error, "'model' must be a string.", "model");
                        model = v.GetString();
                        break;
                    case "stream":
                        if (!Bool(v, out stream))
                            return Fail(out error, "'stream' must be true or false.", "stream");
                        break;
                    case "stream_options" when v.ValueKind != JsonValueKind.Null:
                        if (v.ValueKind != JsonValueKind.Object)
                            return Fail(out error, "'stream_options' must be an object.", "stream_options");
                        if (v.TryGetProperty("include_usage", out var iu) && !Bool(iu, out includeUsage))
                            return Fail(out error, "'stream_options.include_usage' must be true or false.", "stream_options");
                        break;
                    case "max_tokens" or "max_completion_tokens" when v.ValueKind != JsonValueKind.Null:
                        if (!Int(v, out var mt) || mt < 1)
                            return Fail(out error, $"'{p.Name}' must be a positive integer, got {Clip(v.GetRawText())}.", p.Name);
                        maxTokens = mt;
                        break;
                    case "min_tokens" when v.ValueKind != JsonValueKind.Null:
                        if (!Int(v, out minTokens) || minTokens < 0)
                            return Fail(out error, $"'min_tokens' must be a non-negative integer, got {Clip(v.GetRawText())}.", "min_tokens");
                        break;
                    case "ignore_eos":
                        if (!Bool(v, out ignoreEos))
                            return Fail(out error, "'ignore_eos' must be true or false.", "ignore_eos");
                        break;
                    case "temperature" when v.ValueKind != JsonValueKind.Null:
                        if (!(v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var t)) || !(t >= 0 && t <= 2))
                            return Fail(out error, $"'temperature' must be a number from 0 to 2, got {Clip(v.GetRawText())}.", "temperature");
                        temperature = (float)t;
                        break;
                    case "seed" when v.ValueKind != JsonValueKind.Null:
                        if (!(v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s)))
                            return Fail(out error, $"'seed' must be an integer, got {Clip(v.GetRawText())}.", "seed");
                        seed = unchecked((int)s ^ (int)(s >> 32));
                        break;
                    case "n" when v.ValueKind != JsonValueKind.Null:
                        if (!Int(v, out var n) || n != 1)
                            return Fail(out error, $"'n' is {Clip(v.GetRawText())}; this server generates one choice per request (n = 1).", "n");
                        break;
                    case "messages" when chat:
                        messages = ReadMessages(v, out error);
                        if (messages is null)
                            return null;
                        break;
                    case "prompt" when !chat:
                        if (!ReadPrompt(v, out text, out ids, out error))
                            return null;
                        break;
                }
            }

            if (chat && messages is null)
                return Fail(out error, "'messages' is required: a list of {\"role\", \"content\"} objects.", "messages");
            if (!chat && text is null && ids is null)
                return Fail(out error, "'prompt' is required: a text or a list of token ids.", "prompt");
            if (maxTokens is { } max && minTokens > max)
                return Fail(out error, $"min_tokens ({minTokens}) must be less than or equal to max_tokens ({max}).", "min_tokens");

            return new CompletionRequest
            {
                Chat = chat,
                Model = model,
                Stream = stream,
                IncludeUsage = stream && includeUsage,
                MaxTokens = maxTokens,
                MinTokens = minTokens,
                IgnoreEos = ignoreEos,
                Temperature = temperature,
                Seed = seed,
                PromptText = text,
                PromptIds = ids,
                Messages = messages,
            };
        }
    }

    private static CompletionRequest? Fail(out ApiError error, string message, string? param)
    {
        error = new ApiError(400, message, param);
        return null;
    }

    /// <summary>A JSON integer that fits an int (TryGetInt32 alone throws on a string, which would be a 500).</summary>
    internal static bool Int(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value);
    }

    private static bool Bool(JsonElement e, out bool value)
    {
        value = e.ValueKind == JsonValueKind.True;
        return e.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }

    /// <summary>A text, a list of token ids, or a list holding one of those (OpenAI's batch form, with one prompt).</summary>
    private static bool ReadPrompt(JsonElement prompt, out string? text, out List<int>? ids, out ApiError? error)
    {
        text = null;
        ids = null;
        error = null;
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind is JsonValueKind.String or JsonValueKind.Array)
            prompt = prompt[0];
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                text = prompt.GetString();
                return true;
            case JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt[0].ValueKind == JsonValueKind.Number:
                ids = new List<int>(prompt.GetArrayLength());
                foreach (var id in prompt.EnumerateArray())
                {
                    if (!Int(id, out var v) || v < 0)
                    {
                        error = new ApiError(400, $"token ids must be non-negative integers; got {Clip(id.GetRawText())}.", "prompt");
                        return false;
                    }

                    ids.Add(v);
                }

                return true;
            case JsonValueKind.Array when prompt.GetArrayLength() > 1:
                error = new ApiError(400, $"this server takes one prompt per request; got a list of {prompt.GetArrayLength()}.", "prompt");
                return false;
            default:
                error = new ApiError(400, $"'prompt' must be a non-empty text or list of token ids; got {Clip(prompt.GetRawText())}.", "prompt");
                return false;
        }
    }

    private static List<(string, string)>? ReadMessages(JsonElement messages, out ApiError? error)
    {
        error = null;
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            error = new ApiError(400, "'messages' must be a non-empty list of {\"role\", \"content\"} objects.", "messages");
            return null;
        }

        var list = new List<(string, string)>();
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                error = new ApiError(400, $"each message needs a string 'role'; got {Clip(m.GetRawText())}.", "messages");
                return null;
            }

            var content = "";
            if (m.TryGetProperty("content", out var c))
            {
                switch (c.ValueKind)
                {
                    case JsonValueKind.String:
                        content = c.GetString()!;
                        break;
                    case JsonValueKind.Array:
                        // Content parts: the text ones, joined (vLLM joins with newlines).
                        content = string.Join("\n", c.EnumerateArray()
                            .Where(part => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                            .Select(part => part.GetProperty("text").GetString()));
                        break;
                    case JsonValueKind.Null:
                        break;
                    default:
                        error = new ApiError(400, $"message content must be a string or a list of parts; got {Clip(c.GetRawText())}.", "messages");
                        return null;
                }
            }

            list.Add((role.GetString()!, content));
        }

        return list;
    }

    internal static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
