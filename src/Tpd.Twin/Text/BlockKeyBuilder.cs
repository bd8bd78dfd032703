namespace Tpd.Twin.Text;

/// <summary>
/// The content keys of one request's KV blocks, built as its tokens are read (prompt, then the output the twin will
/// generate): block j's key hashes the key of block j - 1 with the ids of block j's tokens, as vLLM's prefix caching
/// hashes (parent block hash, block token ids) (vllm/v1/core/kv_cache_utils.py hash_block_tokens). Equal keys
/// therefore mean equal token prefixes, and a request that repeats or extends an earlier one (the same system
/// prompt, the next chat turn) finds the earlier request's blocks. Only full blocks get a key. Keys have the sign
/// bit set, which keeps them apart from the simulator's own stream keys (non-negative).
/// </summary>
internal sealed class BlockKeyBuilder
{
    private const ulong Seed = 0x7470_6420_7477_696EUL; // "tpd twin": fixed, so the same prompt has the same keys in every run

    private readonly int _blockSize;
    private readonly List<long> _keys = [];
    private ulong _parent;
    private ulong _block;
    private int _inBlock;

    public BlockKeyBuilder(int blockSize, string? cacheSalt = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _blockSize = blockSize;
        _parent = cacheSalt is null ? Seed : Seed ^ TokenIds.Salt(cacheSalt);
        _block = _parent;
    }

    /// <summary>Tokens read so far.</summary>
    public int Tokens { get; private set; }

    /// <summary>Keys of the full blocks so far.</summary>
    public int FullBlocks => _keys.Count;

    public void Add(ulong tokenId)
    {
        _block = unchecked((ulong.RotateLeft(_block ^ tokenId, 29) * 0x9E3779B97F4A7C15UL) + 0x632BE59BD9B4E019UL);
        Tokens++;
        if (++_inBlock < _blockSize)
            return;
        var key = (long)(TokenIds.Finish(_block, TokenIds.Domain.Block) | (1UL << 63));
        _keys.Add(key);
        _parent = (ulong)key;
        _block = _parent;
        _inBlock = 0;
    }

    /// <summary>Reads text the way <see cref="PromptTokens.Count"/> counts it: one id per run of letters or digits, one per other non-space character.</summary>
    public void AddText(ReadOnlySpan<char> text)
    {
        var word = TokenIds.FnvStart;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word = TokenIds.Fnv(inWord ? word : TokenIds.FnvStart, c);
                inWord = true;
                continue;
            }

            if (inWord)
                Add(TokenIds.TextFromFnv(word));
            inWord = false;
            if (!char.IsWhiteSpace(c))
                Add(TokenIds.Text([c]));
        }

        if (inWord)
            Add(TokenIds.TextFromFnv(word));
    }

    /// <summary>
    /// The <see cref="PromptTokens.PerMessage"/> tokens that open a chat message: start, role, end of header (Llama 3's
    /// template). The reply priming is the same header with role "assistant", so the next turn, which carries the reply
    /// as an assistant message, extends this turn's prompt and output token for token.
    /// </summary>
    public void AddMessageHeader(ReadOnlySpan<char> role)
    {
        Add(TokenIds.MessageStart);
        Add(TokenIds.Role(role));
        Add(TokenIds.HeaderEnd);
    }

    /// <summary>The keys of the full blocks so far (a copy: the builder may go on).</summary>
    public long[] Keys() => [.. _keys];
}
