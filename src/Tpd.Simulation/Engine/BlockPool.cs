namespace Tpd.Simulation.Engine;

/// <summary>
/// Paged KV blocks with prefix caching, after vLLM v1's BlockPool (vllm/v1/core/block_pool.py): a block is free
/// when no running request holds it; free blocks sit in an eviction queue (least recently freed first) and keep
/// their content hash until they are handed out again, so a later request with the same prefix can take them back
/// (a cache hit). Arrays, not objects: a replica owns hundreds of thousands of blocks.
/// </summary>
internal sealed class BlockPool
{
    private const int None = -1;

    private readonly int[] _refCount;
    private readonly long[] _hash;
    private readonly int[] _prev;
    private readonly int[] _next;
    private readonly Dictionary<long, int> _cached;
    private int _head = None;
    private int _tail = None;

    public BlockPool(int blocks)
    {
        Capacity = blocks;
        _refCount = new int[blocks];
        _hash = new long[blocks];
        _prev = new int[blocks];
        _next = new int[blocks];
        _cached = new Dictionary<long, int>();
        for (var i = 0; i < blocks; i++)
        {
            _hash[i] = None;
            Append(i);
        }

        FreeCount = blocks;
    }

    public int Capacity { get; }

    /// <summary>Blocks no request holds, including cached ones that can be evicted.</summary>
    public int FreeCount { get; private set; }

    public int UsedCount => Capacity - FreeCount;

    /// <summary>Blocks that hold a content hash (held or free), for tests.</summary>
    public int CachedCount => _cached.Count;

    /// <summary>The block holding content <paramref name="hash"/>, or -1.</summary>
    public int Lookup(long hash) => _cached.TryGetValue(hash, out var block) ? block : None;

    /// <summary>True when the block is free (its reuse costs a free block).</summary>
    public bool IsFree(int block) => _refCount[block] == 0;

    /// <summary>Takes a reference on a cached block found by <see cref="Lookup"/>.</summary>
    public void Touch(int block)
    {
        if (_refCount[block]++ == 0)
        {
            Unlink(block);
            FreeCount--;
        }
    }

    /// <summary>Hands out the least recently freed block, evicting its cached content.</summary>
    public int Allocate()
    {
        var block = _head;
        if (block == None)
            throw new InvalidOperationException("KV block pool is empty; the scheduler must check FreeCount first.");
        Unlink(block);
        FreeCount--;
        if (_hash[block] != None)
        {
            _cached.Remove(_hash[block]);
            _hash[block] = None;
        }

        _refCount[block] = 1;
        return block;
    }

    /// <summary>Drops one reference; at zero the block joins the tail of the eviction queue with its content kept.</summary>
    public void Release(int block)
    {
        if (--_refCount[block] == 0)
        {
            Append(block);
            FreeCount++;
        }
    }

    /// <summary>Records that a full block holds content <paramref name="hash"/> (first writer wins, as in vLLM).</summary>
    public void Register(int block, long hash)
    {
        if (_hash[block] != None)
            return;
        if (_cached.TryAdd(hash, block))
            _hash[block] = hash;
    }

    private void Append(int block)
    {
        _prev[block] = _tail;
        _next[block] = None;
        if (_tail != None)
            _next[_tail] = block;
        else
            _head = block;
        _tail = block;
    }

    private void Unlink(int block)
    {
        var p = _prev[block];
        var n = _next[block];
        if (p != None)
            _next[p] = n;
        else
            _head = n;
        if (n != None)
            _prev[n] = p;
        else
            _tail = p;
    }
}
