using System.Runtime.InteropServices;

namespace Tpd.Simulation.Engine;

/// <summary>
/// Paged KV blocks with prefix caching, after vLLM v1's BlockPool (vllm/v1/core/block_pool.py). A block is free when
/// no running request holds it. A block whose content a later request could reuse (a shared prefix, a chat session,
/// a preempted request) is <em>identified</em>: it carries a content hash and, once free, sits in an eviction queue
/// (least recently freed first) until it is handed out again, so a later request with the same prefix can take it
/// back (a cache hit). Every other block is <em>anonymous</em>: only counted, never tracked one by one, which keeps
/// the cost of a private request's prefill and release independent of its length. Anonymous free blocks are handed
/// out before any cached block is evicted (vLLM keeps one queue for both because it hashes every full block; blocks
/// that no lookup can ever hit make no difference to what it finds).
/// </summary>
internal sealed class BlockPool
{
    private const int None = -1;

    // One struct per identified block: an operation touches one cache line, not several arrays.
    private readonly BlockState[] _blocks;
    private readonly int[] _freeIds;
    private readonly Dictionary<long, int> _cached = [];
    private int _freeIdCount;
    private int _anonymousFree;
    private int _cachedFree;
    private int _head = None;
    private int _tail = None;

    public BlockPool(int blocks)
    {
        Capacity = blocks;
        _blocks = new BlockState[blocks];
        _freeIds = new int[blocks];
        for (var i = 0; i < blocks; i++)
            _freeIds[i] = blocks - 1 - i;
        _freeIdCount = blocks;
        _anonymousFree = blocks;
    }

    public int Capacity { get; }

    /// <summary>Blocks no request holds, including cached ones that can be evicted.</summary>
    public int FreeCount => _anonymousFree + _cachedFree;

    public int UsedCount => Capacity - FreeCount;

    /// <summary>Blocks that hold a content hash (held or free).</summary>
    public int CachedCount => _cached.Count;

    /// <summary>The identified block holding content <paramref name="hash"/>, or -1.</summary>
    public int Lookup(long hash) => _cached.TryGetValue(hash, out var block) ? block : None;

    /// <summary>True when the identified block is free (reusing it takes one free block).</summary>
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

    /// <summary>Hands out <paramref name="count"/> anonymous blocks: free ones first, then by evicting cached blocks, least recently freed first.</summary>
    public void TakeAnonymous(int count)
    {
        if (count > FreeCount)
            throw new InvalidOperationException($"asked for {count} KV blocks with {FreeCount} free; the scheduler must check FreeCount first.");
        var fromFree = Math.Min(count, _anonymousFree);
        _anonymousFree -= fromFree;
        for (var i = fromFree; i < count; i++)
        {
            var block = _head;
            Unlink(block);
            _cachedFree--;
            _cached.Remove(_blocks[block].Hash);
            _freeIds[_freeIdCount++] = block;
        }
    }

    /// <summary>Returns anonymous blocks to the pool.</summary>
    public void ReleaseAnonymous(int count) => _anonymousFree += count;

    /// <summary>
    /// Records that one held anonymous block, now full, holds content <paramref name="hash"/>, making it findable.
    /// Returns its id, or -1 when another block already holds that content (the first writer wins, as in vLLM; this one
    /// stays anonymous).
    /// </summary>
    public int Identify(long hash)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_cached, hash, out var exists);
        if (exists)
            return None;
        var block = _freeIds[--_freeIdCount];
        _blocks[block] = new BlockState { Hash = hash, Ref = 1, Prev = None, Next = None };
        slot = block;
        return block;
    }

    /// <summary>Drops one reference to an identified block; at zero it joins the tail of the eviction queue with its content kept.</summary>
    public void Release(int block)
    {
        if (--_blocks[block].Ref != 0)
            return;
        Append(block);
        _cachedFree++;
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
