using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// Length pairs from a ShareGPT-format file: a JSON array of <c>{"conversations": [{"from": "human", "value": "..."},
/// {"from": "gpt", "value": "..."}, ...]}</c>. Like vLLM's benchmark (benchmarks/benchmark_dataset.py, ShareGPTDataset)
/// each conversation gives one pair, its first user message and the reply after it; pairs with fewer than 4 tokens on
/// either side are dropped, as vLLM drops them. No tokenizer is available in the pure core, so tokens are counted as
/// characters / 4 (OpenAI's rule of thumb for English: "one token is about 4 characters"), at least 1.
/// </summary>
public static class ShareGpt
{
    /// <summary>Characters per token assumed when counting without a tokenizer.</summary>
    public const double CharsPerToken = 4;

    private static readonly string[] UserRoles = ["human", "user"];
    private static readonly string[] ReplyRoles = ["gpt", "assistant", "chatgpt", "bard", "model"];

    /// <summary>
    /// Reads the pairs, streaming one conversation at a time (the usual ShareGPT file is hundreds of megabytes; only
    /// the counts are kept).
    /// </summary>
    public static IReadOnlyList<(int Input, int Output)> ReadPairs(Stream json, int minTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(json);
        var pairs = new List<(int, int)>();
        try
        {
            foreach (var item in JsonSerializer.DeserializeAsyncEnumerable(json, ShareGptJsonContext.Default.ShareGptItem).ToBlockingEnumerable())
            {
                if (item?.Conversations is { } turns && FirstPair(turns) is var (input, output) && input >= minTokens && output >= minTokens)
                    pairs.Add((input, output));
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a ShareGPT file ({e.Message}); expected a JSON array of {{\"conversations\": [{{\"from\": \"human\", \"value\": \"...\"}}, ...]}}.", e);
        }

        if (pairs.Count == 0)
            throw new FormatException($"no usable conversation in the ShareGPT file: each needs a 'human' turn followed by a 'gpt' turn of at least {minTokens} tokens (about {minTokens * CharsPerToken} characters).");
        return pairs;
    }

    /// <summary>Token count estimate of a text: characters / 4, rounded, at least 1.</summary>
    public static int Tokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Math.Max(1, (int)Math.Round(text.Length / CharsPerToken));
    }

    private static (int Input, int Output)? FirstPair(List<ShareGptTurn?> turns)
    {
        string? prompt = null;
        foreach (var turn in turns)
        {
            if (turn?.From is not { } role || turn.Value is not { ValueKind: JsonValueKind.String } value)
                continue;
            if (prompt is null && UserRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                prompt = value.GetString();
            else if (prompt is not null && ReplyRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                return (Tokens(prompt), Tokens(value.GetString()!));
        }

        return null;
    }
}

internal sealed record ShareGptItem([property: JsonPropertyName("conversations")] List<ShareGptTurn?>? Conversations);

internal sealed record ShareGptTurn([property: JsonPropertyName("from")] string? From, [property: JsonPropertyName("value")] JsonElement? Value);

[JsonSerializable(typeof(ShareGptItem))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true)]
internal sealed partial class ShareGptJsonContext : JsonSerializerContext;
