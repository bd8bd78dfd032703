using System.Text.Json;
using System.Text.Json.Serialization;
using Tpd.Bench.Http;
using Tpd.Simulation.Workloads;

namespace Tpd.Bench.Load.Sources;

/// <summary>One usable ShareGPT conversation: the first user message as the prompt, and the length of the reply after it.</summary>
public sealed record ShareGptPrompt(string Prompt, int PromptTokens, int ReplyTokens);

/// <summary>
/// Real prompts from a ShareGPT-format file (a JSON array of <c>{"conversations": [{"from": "human", "value": "..."},
/// {"from": "gpt", "value": "..."}]}</c>), picked as `tpd simulate` and vLLM's benchmark pick them
/// (<see cref="ShareGpt"/>): the first user message and the reply after it, pairs under 4 tokens on either side
/// dropped, tokens counted as characters / 4. The prompt goes as text (a chat message on /v1/chat/completions);
/// max_tokens is the reply's length, forced with ignore_eos where the server takes it, so the output lengths are the
/// dataset's. Conversations are visited in a seeded shuffle, wrapping around.
/// </summary>
public sealed class ShareGptSource : IRequestSource
{
    private static readonly string[] UserRoles = ["human", "user"];
    private static readonly string[] ReplyRoles = ["gpt", "assistant", "chatgpt", "bard", "model"];
    private readonly ShareGptPrompt[] _prompts;

    public ShareGptSource(IReadOnlyList<ShareGptPrompt> prompts, int seed = 1, int? maxOutputTokens = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
            throw new ArgumentException("no ShareGPT prompts to send", nameof(prompts));
        var order = prompts.ToArray();
        new Random(seed).Shuffle(order);
        _prompts = maxOutputTokens is { } cap ? [.. order.Select(p => p with { ReplyTokens = Math.Min(p.ReplyTokens, cap) })] : order;
    }

    public int Count => _prompts.Length;

    public BenchRequest RequestAt(long index)
    {
        // Warm-up walks the list from the end, so the measured phase starts on prompts the server has not cached.
        var i = index >= 0 ? index % _prompts.Length : _prompts.Length - 1 - ((-1 - index) % _prompts.Length);
        var p = _prompts[i];
        return new BenchRequest
        {
            PromptText = p.Prompt,
            MaxTokens = p.ReplyTokens,
            IgnoreEos = true,
            MinTokens = p.ReplyTokens,
        };
    }

    /// <summary>Reads the usable conversations, one at a time (ShareGPT files run to hundreds of megabytes).</summary>
    /// <exception cref="FormatException">Not a ShareGPT file, or no usable conversation; the message shows the expected shape.</exception>
    public static IReadOnlyList<ShareGptPrompt> Read(Stream json, int minTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(json);
        var prompts = new List<ShareGptPrompt>();
        try
        {
            foreach (var item in JsonSerializer.DeserializeAsyncEnumerable(json, ShareGptTextJsonContext.Default.ShareGptConversation).ToBlockingEnumerable())
            {
                if (item?.Conversations is { } turns && FirstPair(turns) is var (prompt, reply) && ShareGpt.Tokens(prompt) >= minTokens && ShareGpt.Tokens(reply) >= minTokens)
                    prompts.Add(new ShareGptPrompt(prompt, ShareGpt.Tokens(prompt), ShareGpt.Tokens(reply)));
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a ShareGPT file ({e.Message}); expected a JSON array of {{\"conversations\": [{{\"from\": \"human\", \"value\": \"...\"}}, {{\"from\": \"gpt\", \"value\": \"...\"}}]}}", e);
        }

        if (prompts.Count == 0)
            throw new FormatException($"no usable conversation in the ShareGPT file: each needs a 'human' turn followed by a 'gpt' turn of at least {minTokens} tokens (about {minTokens * ShareGpt.CharsPerToken} characters)");
        return prompts;
    }

    private static (string Prompt, string Reply)? FirstPair(List<ShareGptTurnText?> turns)
    {
        string? prompt = null;
        foreach (var turn in turns)
        {
            if (turn?.From is not { } role || turn.Value is not { ValueKind: JsonValueKind.String } value)
                continue;
            if (prompt is null && UserRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                prompt = value.GetString();
            else if (prompt is not null && ReplyRoles.Contains(role, StringComparer.OrdinalIgnoreCase))
                return (prompt, value.GetString()!);
        }

        return null;
    }
}

internal sealed record ShareGptConversation([property: JsonPropertyName("conversations")] List<ShareGptTurnText?>? Conversations);

internal sealed record ShareGptTurnText([property: JsonPropertyName("from")] string? From, [property: JsonPropertyName("value")] JsonElement? Value);

[JsonSerializable(typeof(ShareGptConversation))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true)]
internal sealed partial class ShareGptTextJsonContext : JsonSerializerContext;
