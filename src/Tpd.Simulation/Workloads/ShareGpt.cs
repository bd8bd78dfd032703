using System.Text.Json;

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

    public static IReadOnlyList<(int Input, int Output)> ReadPairs(Stream json, int minTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new FormatException($"a ShareGPT file is a JSON array of conversations; this one starts with a {doc.RootElement.ValueKind}.");

        var pairs = new List<(int, int)>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("conversations", out var turns) || turns.ValueKind != JsonValueKind.Array)
                continue;
            string? prompt = null;
            foreach (var turn in turns.EnumerateArray())
            {
                if (turn.ValueKind != JsonValueKind.Object || !turn.TryGetProperty("from", out var from) || !turn.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
                    continue;
                var role = from.GetString() ?? "";
                if (prompt is null && UserRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                {
                    prompt = value.GetString();
                }
                else if (prompt is not null && ReplyRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                {
                    var input = Tokens(prompt);
                    var output = Tokens(value.GetString()!);
                    if (input >= minTokens && output >= minTokens)
                        pairs.Add((input, output));
                    break;
                }
            }
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
}
