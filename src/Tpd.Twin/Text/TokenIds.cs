namespace Tpd.Twin.Text;

/// <summary>
/// 64-bit ids for the units of the twin's token model (<see cref="PromptTokens"/>): a run of letters or digits, one
/// other non-space character, a client's token id, or a chat-format marker. The twin has no vocabulary, so an id is a
/// hash of the unit (FNV-1a over its UTF-16 code units, then SplitMix64's finalizer); what prefix caching needs is
/// only that the same unit always gets the same id and different units almost never do. Each kind hashes in its own
/// domain, so the word "1" and the token id 1 differ (without a tokenizer the twin cannot know they would match).
/// </summary>
internal static class TokenIds
{
    private const ulong FnvOffset = 0xCBF29CE484222325UL;
    private const ulong FnvPrime = 0x100000001B3UL;

    /// <summary>Start of a chat message (before its role), as Llama 3's &lt;|start_header_id|&gt;.</summary>
    public static readonly ulong MessageStart = Finish(0x5354_4152_5400_0001UL, Domain.Marker);

    /// <summary>End of a chat message header (after its role), as Llama 3's &lt;|end_header_id|&gt;.</summary>
    public static readonly ulong HeaderEnd = Finish(0x4845_4144_4552_0002UL, Domain.Marker);

    /// <summary>Stands in for a completions text prompt with no tokens (the twin counts it as 1 token).</summary>
    public static readonly ulong Empty = Finish(0x454D_5054_5900_0003UL, Domain.Marker);

    /// <summary>A run of letters or digits, or one other non-space character, of a text.</summary>
    public static ulong Text(ReadOnlySpan<char> unit) => Finish(Fnv(FnvOffset, unit), Domain.Text);

    /// <summary>A token id a client sent (completions with a list of integers).</summary>
    public static ulong Id(int tokenId) => Finish((ulong)tokenId, Domain.Id);

    /// <summary>A chat role ("system", "user", "assistant", ...).</summary>
    public static ulong Role(ReadOnlySpan<char> role) => Finish(Fnv(FnvOffset, role), Domain.Role);

    /// <summary>The first block's parent for a vLLM cache_salt (vLLM adds the salt to the first block's hash only).</summary>
    public static ulong Salt(ReadOnlySpan<char> salt) => Finish(Fnv(FnvOffset, salt), Domain.Salt);

    /// <summary>Continues an FNV-1a hash over more code units (for a letter run read one character at a time).</summary>
    public static ulong Fnv(ulong hash, ReadOnlySpan<char> chars)
    {
        foreach (var c in chars)
            hash = Fnv(hash, c);
        return hash;
    }

    public static ulong Fnv(ulong hash, char c) => unchecked((hash ^ c) * FnvPrime);

    public static ulong FnvStart => FnvOffset;

    /// <summary>The id of a letter run hashed with <see cref="Fnv(ulong, char)"/> from <see cref="FnvStart"/>.</summary>
    public static ulong TextFromFnv(ulong fnv) => Finish(fnv, Domain.Text);

    /// <summary>SplitMix64's finalizer over the value and its domain: every input bit moves every output bit.</summary>
    public static ulong Finish(ulong x, Domain domain)
    {
        return Mix.Finalize(unchecked(x + (0x9E3779B97F4A7C15UL * ((ulong)domain + 1))));
    }

    internal enum Domain
    {
        Text = 1,
        Id = 2,
        Marker = 3,
        Role = 4,
        Salt = 5,
        Block = 6,
    }
}
