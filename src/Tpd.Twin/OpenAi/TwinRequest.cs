using System.Buffers;
using System.Text.Json;
using Tpd.Twin.Text;

namespace Tpd.Twin.OpenAi;

/// <summary>The parts of a /v1/chat/completions or /v1/completions body the twin acts on; the rest is accepted and ignored.</summary>
internal sealed class TwinRequest
{
    public bool Chat { get; private init; }
    public string Model { get; private init; } = "";
    public bool Stream { get; private init; }
    public bool IncludeUsage { get; private init; }
    public bool ContinuousUsage { get; private init; }
    public int? MaxTokens { get; private init; }
    public int MinTokens { get; private init; }
    public bool IgnoreEos { get; private init; }
    public long? Seed { get; private init; }

    /// <summary>Prompt tokens of each prompt (a completions list of prompts gives one choice each; chat has one).</summary>
    public IReadOnlyList<int> Prompts { get; private init; } = [];

    /// <summary>
    /// The block keys of each prompt, read as the twin's token model tokenizes it (null when parsed without a block
    /// size): the handler goes on with the output tokens and hands the keys to the engine for prefix caching.
    /// </summary>
    public IReadOnlyList<BlockKeyBuilder>? Content { get; private init; }

    /// <summary>Reads a request body; null with an <paramref name="error"/> to answer when it is not acceptable.</summary>
    /// <param name="body">The JSON body.</param>
    /// <param name="chat">True for /v1/chat/completions (messages), false for /v1/completions (prompt).</param>
    /// <param name="blockSize">KV block size to key the prompts' content by; 0: count tokens only (no prefix caching).</param>
    /// <param name="error">What to answer when the body is not acceptable.</param>
    public static TwinRequest? Parse(in ReadOnlySequence<byte> body, bool chat, int blockSize, out ApiError? error)
    {
        error = null;
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            error = new ApiError(400, $"the request body is not valid JSON: {e.Message}");
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = new ApiError(400, "the request body must be a JSON object.");
                return null;
            }

            string? model = null;
            bool stream = false, includeUsage = false, continuous = false, ignoreEos = false;
            int? maxTokens = null;
            var minTokens = 0;
            long? seed = null;
            string? salt = null;
            JsonElement? content = null;
            List<int>? prompts = null;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "model":
                        if (p.Value.ValueKind != JsonValueKind.String)
                            return Fail(out error, "'model' must be a string.", "model");
                        model = p.Value.GetString();
                        break;
                    case "stream":
                        if (!Bool(p.Value, out stream))
                            return Fail(out error, "'stream' must be true or false.", "stream");
                        break;
                    case "stream_options":
                        if (p.Value.ValueKind == JsonValueKind.Null)
                            break;
                        if (p.Value.ValueKind != JsonValueKind.Object)
                            return Fail(out error, "'stream_options' must be an object.", "stream_options");
                        if (p.Value.TryGetProperty("include_usage", out var iu) && !Bool(iu, out includeUsage))
                            return Fail(out error, "'stream_options.include_usage' must be true or false.", "stream_options");
                        if (p.Value.TryGetProperty("continuous_usage_stats", out var cu) && !Bool(cu, out continuous))
                            return Fail(out error, "'stream_options.continuous_usage_stats' must be true or false.", "stream_options");
                        break;
                    case "max_tokens" or "max_completion_tokens":
                        if (p.Value.ValueKind == JsonValueKind.Null)
                            break;
                        if (!p.Value.TryGetInt32(out var mt) || mt < 1)
                            return Fail(out error, $"'{p.Name}' must be a positive integer, got {p.Value.GetRawText()}.", p.Name);
                        maxTokens = mt;
                        break;
                    case "min_tokens":
                        if (!p.Value.TryGetInt32(out minTokens) || minTokens < 0)
                            return Fail(out error, $"'min_tokens' must be a non-negative integer, got {p.Value.GetRawText()}.", "min_tokens");
                        break;
                    case "ignore_eos":
                        if (!Bool(p.Value, out ignoreEos))
                            return Fail(out error, "'ignore_eos' must be true or false.", "ignore_eos");
                        break;
                    case "seed":
                        if (p.Value.ValueKind == JsonValueKind.Null)
                            break;
                        if (!p.Value.TryGetInt64(out var s))
                            return Fail(out error, $"'seed' must be an integer, got {p.Value.GetRawText()}.", "seed");
                        seed = s;
                        break;
                    case "n":
                        if (!p.Value.TryGetInt32(out var n) || n != 1)
                            return Fail(out error, $"'n' is {p.Value.GetRawText()}; the twin generates one choice per prompt (n = 1).", "n");
                        break;
                    case "cache_salt":
                        if (p.Value.ValueKind == JsonValueKind.Null)
                            break;
                        if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString() is not { Length: > 0 } cs)
                            return Fail(out error, $"'cache_salt' must be a non-empty string, got {Clip(p.Value.GetRawText())}.", "cache_salt");
                        salt = cs;
                        break;
                    case "messages" when chat:
                        prompts = Messages(p.Value, out error);
                        if (prompts is null)
                            return null;
                        content = p.Value;
                        break;
                    case "prompt" when !chat:
                        prompts = Prompt(p.Value, out error);
                        if (prompts is null)
                            return null;
                        content = p.Value;
                        break;
                }
            }

            if (model is null)
                return Fail(out error, "'model' is required: the served model name (see GET /v1/models).", "model");
            if (prompts is null)
                return Fail(out error, chat ? "'messages' is required: a list of {\"role\", \"content\"} objects." : "'prompt' is required: text, a list of texts, or token ids.", chat ? "messages" : "prompt");
            if (maxTokens is { } max && minTokens > max)
                return Fail(out error, $"min_tokens ({minTokens}) must be less than or equal to max_tokens ({max}).", "min_tokens");

            return new TwinRequest
            {
                Chat = chat,
                Model = model,
                Stream = stream,
                IncludeUsage = stream && includeUsage,
                ContinuousUsage = stream && includeUsage && continuous,
                MaxTokens = maxTokens,
                MinTokens = minTokens,
                IgnoreEos = ignoreEos,
                Seed = seed,
                Prompts = prompts,
                Content = blockSize > 0 && content is { } c ? (chat ? [MessageKeys(c, blockSize, salt)] : PromptKeys(c, blockSize, salt)) : null,
            };
        }
    }

    private static TwinRequest? Fail(out ApiError error, string message, string? param)
    {
        error = new ApiError(400, message, param);
        return null;
    }

    private static bool Bool(JsonElement e, out bool value)
    {
        value = e.ValueKind == JsonValueKind.True;
        return e.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }

    private static List<int>? Messages(JsonElement messages, out ApiError? error)
    {
        error = null;
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            error = new ApiError(400, "'messages' must be a non-empty list of {\"role\", \"content\"} objects.", "messages");
            return null;
        }

        var tokens = PromptTokens.ReplyPriming;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                error = new ApiError(400, $"each message needs a string 'role'; got {Clip(m.GetRawText())}.", "messages");
                return null;
            }

            tokens += PromptTokens.PerMessage;
            if (!m.TryGetProperty("content", out var content))
                continue;
            switch (content.ValueKind)
            {
                case JsonValueKind.String:
                    tokens += PromptTokens.Count(content.GetString());
                    break;
                case JsonValueKind.Array:
                    foreach (var part in content.EnumerateArray())
                    {
                        if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                            tokens += PromptTokens.Count(text.GetString());
                    }

                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    error = new ApiError(400, $"message content must be a string or a list of parts; got {Clip(content.GetRawText())}.", "messages");
                    return null;
            }
        }

        return [tokens];
    }

    // Keys are built after validation, so these walk well-formed input only; the token counts must match Messages'
    // and Prompt's (tests check it).
    private static BlockKeyBuilder MessageKeys(JsonElement messages, int blockSize, string? salt)
    {
        var keys = new BlockKeyBuilder(blockSize, salt);
        foreach (var m in messages.EnumerateArray())
        {
            keys.AddMessageHeader(m.GetProperty("role").GetString());
            if (!m.TryGetProperty("content", out var content))
                continue;
            if (content.ValueKind == JsonValueKind.String)
            {
                keys.AddText(content.GetString());
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        keys.AddText(text.GetString());
                }
            }
        }

        keys.AddMessageHeader("assistant");
        return keys;
    }

    private static List<BlockKeyBuilder> PromptKeys(JsonElement prompt, int blockSize, string? salt)
    {
        if (prompt.ValueKind == JsonValueKind.String || prompt[0].ValueKind == JsonValueKind.Number)
            return [OneKeys(prompt, blockSize, salt)];
        var list = new List<BlockKeyBuilder>(prompt.GetArrayLength());
        foreach (var item in prompt.EnumerateArray())
            list.Add(OneKeys(item, blockSize, salt));
        return list;
    }

    private static BlockKeyBuilder OneKeys(JsonElement prompt, int blockSize, string? salt)
    {
        var keys = new BlockKeyBuilder(blockSize, salt);
        if (prompt.ValueKind == JsonValueKind.String)
        {
            keys.AddText(prompt.GetString());
            if (keys.Tokens == 0)
                keys.Add(TokenIds.Empty); // counted as 1 token, as Prompt does
        }
        else
        {
            foreach (var id in prompt.EnumerateArray())
                keys.Add(TokenIds.Id(id.GetInt32()));
        }

        return keys;
    }

    private static List<int>? Prompt(JsonElement prompt, out ApiError? error)
    {
        error = null;
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                return [Math.Max(1, PromptTokens.Count(prompt.GetString()))];
            case JsonValueKind.Array when prompt.GetArrayLength() > 0:
                var first = prompt[0];
                if (first.ValueKind == JsonValueKind.Number)
                    return Ids(prompt, out error) is { } n ? [n] : null;
                var list = new List<int>();
                foreach (var item in prompt.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        list.Add(Math.Max(1, PromptTokens.Count(item.GetString())));
                    }
                    else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0)
                    {
                        if (Ids(item, out error) is not { } n)
                            return null;
                        list.Add(n);
                    }
                    else
                    {
                        error = new ApiError(400, $"'prompt' items must all be texts or all token-id lists; got {Clip(item.GetRawText())}.", "prompt");
                        return null;
                    }
                }

                return list;
            default:
                error = new ApiError(400, $"'prompt' must be a non-empty text, list of texts, or list of token ids; got {Clip(prompt.GetRawText())}.", "prompt");
                return null;
        }
    }

    private static int? Ids(JsonElement ids, out ApiError? error)
    {
        error = null;
        foreach (var id in ids.EnumerateArray())
        {
            if (!id.TryGetInt32(out var v) || v < 0)
            {
                error = new ApiError(400, $"token ids must be non-negative integers; got {Clip(id.GetRawText())}.", "prompt");
                return null;
            }
        }

        return ids.GetArrayLength();
    }

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
