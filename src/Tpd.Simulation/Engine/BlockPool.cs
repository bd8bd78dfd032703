namespace Tpd.Simulation.Engine;

/// <summary>
/// Paged KV blocks with prefix caching, after vLLM v1's BlockPool (vllm/v1/core/block_pool.py): a block is free when
/// no running request holds it; a free block that holds cached content keeps its hash until it is handed out again,
/// so a later request with the same prefix can take it back (a cache hit). Cached free blocks are evicted least
/// recently freed first. Free blocks without cached content sit on a stack and are handed out before any cached
/// block is evicted (vLLM keeps one queue for both; it hashes every full block, while tpd hashes only blocks that a
/// later request could hit, so handing out content-free blocks first is what vLLM's order amounts to for the blocks
/// that matter). Arrays, not objects: a fleet holds millions of blocks.
/// </summary>
internal sealed class BlockPool
{
    private const int None = -1;

    // One struct per block: a release or allocation touches one cache line, not four arrays.
    private readonly BlockState[] _blocks;
    private readonly int[] _plain;
    private readonly Dictionary<long, int> _cached;
    private int _plainCount;
    private int _head = None;
    private int _tail = None;
    private int _cachedFree;

    public BlockPool(int blocks)
    {
        Capacity = blocks;
        _blocks = new BlockState[blocks];
        _plain = new int[blocks];
        _cached = [];
        for (var i = 0; i < blocks; i++)
            _blocks[i].Hash = None;
        for (var i = 0; i < blocks; i++)
            _plain[i] = blocks - 1 - i;
        _plainCount = blocks;
    }

    public int Capacity { get; }

    /// <summary>Blocks no request holds, including cached ones that can be evicted.</summary>
    public int FreeCount => _plainCount + _cachedFree;

    public int UsedCount => Capacity - FreeCount;

    /// <summary>Blocks that hold a content hash (held or free).</summary>
    public int CachedCount => _cached.Count;

    /// <summary>The block holding content <paramref name="hash"/>, or -1.</summary>
    public int Lookup(long hash) => _cached.TryGetValue(hash, out var block) ? block : None;

    /// <summary>True when the block is free (reusing it takes one free block).</summary>
    public bool IsFree(int block) => _blocks[block].Ref == 0;

    /// <summary>Takes a reference on a cached block found by <see cref="Lookup"/>.</summary>
    public void Touch(int block)
    {
        if (_blocks[block].Ref++ == 0)
        {
            Unlink(block);
            _cachedFree--;
        }
    }

    /// <summary>Hands out a free block: a content-free one if any, else the least recently freed cached one (evicting it).</summary>
    public int Allocate()
    {
        int block;
        if (_plainCount > 0)
        {
            block = _plain[--_plainCount];
        }
        else
        {
            block = _head;
            if (block == None)
                throw new InvalidOperationException("KV block pool is empty; the scheduler must check FreeCount first.");
            Unlink(block);
            _cachedFree--;
            _cached.Remove(_blocks[block].Hash);
            _blocks[block].Hash = None;
        }

        _blocks[block].Ref = 1;
        return block;
    }

    /// <summary>Drops one reference; at zero a cached block joins the tail of the eviction queue with its content kept.</summary>
    public void Release(int block)
    {
        if (--_blocks[block].Ref != 0)
            return;
        if (_blocks[block].Hash == None)
        {
            _plain[_plainCount++] = block;
        }
        else
        {
            Append(block);
            _cachedFree++;
        }
    }

    /// <summary>Records that a held, full block holds content <paramref name="hash"/> (first writer wins, as in vLLM).</summary>
    public void Register(int block, long hash)
    {
        if (_blocks[block].Hash != None)
            return;
        if (_cached.TryAdd(hash, block))
            _blocks[block].Hash = hash;
    }

    private void Append(int block)
    {
        _blocks[block].Prev = _tail;
        _blocks[block].Next = None;
        if (_tail != None)
            _blocks[_tail].Next = block;
        else
            _head = block;
        _tail = block;
    }

    private void Unlink(int block)
    {
        var p = _blocks[block].Prev;
        var n = _blocks[block].Next;
        if (p != None)
            _blocks[p].Next = n;
        else
            _head = n;
        if (n != None)
            _blocks[n].Prev = p;
        else
            _tail = p;
    }

    private struct BlockState
    {
        public long Hash;
        public int Ref;
        public int Prev;
        public int Next;
    }
}
