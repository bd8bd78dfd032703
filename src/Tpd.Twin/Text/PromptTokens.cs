namespace Tpd.Twin.Text;

/// <summary>
/// Counts prompt tokens without a tokenizer (none is available offline): every run of letters or digits is one
/// token and every other non-space character is one token. English prose comes out within about 25 % of a BPE
/// tokenizer (words are mostly one token; long words are more, so this undercounts a little), and "hi hi hi",
/// which `tpd bench` sends when a server refuses token ids, counts exactly one per word. Token-id prompts are counted
/// exactly. Chat adds 3 tokens per message and 3 to prime the reply (OpenAI's published rule for its chat format).
/// </summary>
public static class PromptTokens
{
    public const int PerMessage = 3;
    public const int ReplyPriming = 3;

    public static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                    count++;
                inWord = true;
            }
            else
            {
                inWord = false;
                if (!char.IsWhiteSpace(c))
                    count++;
            }
        }

        return count;
    }
}
