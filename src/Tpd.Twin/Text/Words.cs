using System.Text;

namespace Tpd.Twin.Text;

/// <summary>
/// The generated text: one word per token, " the quick ..." chosen by a seeded hash of (request, position), so the
/// same request gives the same text. Words are plain ASCII: their JSON form needs no escaping and is pre-encoded.
/// </summary>
internal static class Words
{
    private static readonly string[] List =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
        "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
        "who", "so", "no", "model", "token", "serving", "batch", "cache", "latency", "throughput", "dollar", "GPU",
        "memory", "step", "request", "stream",
    ];

    private static readonly byte[][] Utf8 = [.. List.Select(w => Encoding.UTF8.GetBytes(" " + w))];

    // Each word is one run of letters: the id the twin's token model gives it when a client sends it back as text.
    private static readonly ulong[] Ids = [.. List.Select(w => TokenIds.Text(w))];

    /// <summary>The UTF-8 bytes of token <paramref name="position"/> of a request, with its leading space.</summary>
    public static ReadOnlySpan<byte> Token(long seed, long request, int position) =>
        Utf8[(int)(Mix.Hash(seed, request, position) % (ulong)Utf8.Length)];

    /// <summary>The token id of token <paramref name="position"/>: the same word read back from a prompt gets the same id.</summary>
    public static ulong TokenId(long seed, long request, int position) =>
        Ids[(int)(Mix.Hash(seed, request, position) % (ulong)Ids.Length)];

    public static string Text(long seed, long request, int count)
    {
        var sb = new StringBuilder(count * 6);
        for (var i = 0; i < count; i++)
            sb.Append(Encoding.UTF8.GetString(Token(seed, request, i)));
        return sb.ToString();
    }
}
