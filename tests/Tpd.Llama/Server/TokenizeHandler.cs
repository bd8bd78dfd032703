using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tpd.Llama.Engine;

namespace Tpd.Llama.Server;

/// <summary>
/// vLLM's POST /tokenize and /detokenize. Tokenize takes {"prompt": text} (add_special_tokens defaults to true) or
/// {"messages": [...]} (rendered with the chat template; add_special_tokens defaults to false,
/// add_generation_prompt to true) and answers {"count", "max_model_len", "tokens", "token_strs": null}.
/// </summary>
internal sealed class TokenizeHandler(LlamaEngine engine)
{
    public async Task Tokenize(HttpContext context)
    {
        var body = await CompletionHandler.ReadBody(context.Request).ConfigureAwait(false);
        int[] tokens;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("the request body must be a JSON object with 'prompt' or 'messages'.");
            var hasMessages = root.TryGetProperty("messages", out _);
            var addSpecial = Flag(root, "add_special_tokens", !hasMessages);
            if (root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String)
            {
                tokens = engine.Tokenize(prompt.GetString()!, addSpecial);
            }
            else if (hasMessages)
            {
                var parsed = CompletionRequest.Parse(body, chat: true, out var error) ?? throw new FormatException(error!.Message);
                var text = engine.ApplyChatTemplate(parsed.Messages!, Flag(root, "add_generation_prompt", true));
                tokens = engine.Tokenize(text, addSpecial);
            }
            else
            {
                throw new FormatException("give 'prompt' (a text) or 'messages' (a list of {\"role\", \"content\"} objects).");
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            await Responses.Error(context.Response, new ApiError(400, e is JsonException ? $"the request body is not valid JSON: {e.Message}" : e.Message)).ConfigureAwait(false);
            return;
        }

        await Responses.Json(context.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", tokens.Length);
            w.WriteNumber("max_model_len", engine.MaxModelLen);
            w.WriteStartArray("tokens");
            foreach (var t in tokens)
                w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteNull("token_strs");
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task Detokenize(HttpContext context)
    {
        var body = await CompletionHandler.ReadBody(context.Request).ConfigureAwait(false);
        var ids = new List<int>();
        string? problem = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
            {
                problem = "give 'tokens': a list of token ids.";
            }
            else
            {
                foreach (var t in tokens.EnumerateArray())
                {
                    if (!CompletionRequest.Int(t, out var id) || id < 0 || id >= engine.VocabSize)
                    {
                        problem = $"Token id {CompletionRequest.Clip(t.GetRawText())} is out of vocabulary (ids 0 to {engine.VocabSize - 1})";
                        break;
                    }

                    ids.Add(id);
                }
            }
        }
        catch (JsonException e)
        {
            problem = $"the request body is not valid JSON: {e.Message}";
        }

        if (problem is not null)
        {
            await Responses.Error(context.Response, new ApiError(400, problem, "tokens")).ConfigureAwait(false);
            return;
        }

        var text = engine.Detokenize(ids);
        await Responses.Json(context.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("prompt", text);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static bool Flag(JsonElement root, string name, bool fallback) =>
        root.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => fallback,
            _ => throw new FormatException($"'{name}' must be true or false."),
        } : fallback;
}
