namespace Tpd.Bench.Load.Sources;

/// <summary>
/// Text prompts of about N tokens for servers or APIs that take no token ids (chat): N common English words, each one
/// token with its leading space in the Llama 3, Qwen and GPT tokenizers (short, frequent words), drawn from a seeded
/// generator so prompts differ and the prefix cache sees what it would in production.
/// </summary>
internal static class PromptText
{
    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their",
        "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no",
        "time", "day", "water", "city", "world", "house", "light", "river", "music", "paper", "table", "green", "small", "story",
    ];

    public static string Of(Random random, int tokens)
    {
        var words = new string[tokens];
        for (var i = 0; i < tokens; i++)
            words[i] = Words[random.Next(Words.Length)];
        return string.Join(' ', words);
    }
}
