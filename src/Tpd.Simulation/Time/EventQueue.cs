namespace Tpd.Simulation.Time;

/// <summary>
/// The simulator's agenda: a binary min-heap of events ordered by time, then by a tie-break key (phase, then
/// insertion order), so events at the same instant always come out in the same order. Hand-written rather than
/// PriorityQueue with a comparer: the comparison is inlined, and this queue turns over tens of millions of events per
/// simulated fleet-hour.
/// </summary>
internal sealed class EventQueue<T>
    where T : struct
{
    private Entry[] _heap = new Entry[64];
    private long _sequence;

    public int Count { get; private set; }

    /// <summary>Adds an event; a higher <paramref name="phase"/> (0 to 3) runs after lower phases at the same instant.</summary>
    public void Enqueue(double time, int phase, T item)
    {
        if (Count == _heap.Length)
            Array.Resize(ref _heap, _heap.Length * 2);
        var entry = new Entry(time, ((long)phase << 60) | _sequence++, item);
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(entry, _heap[parent]))
                break;
            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = entry;
    }

    public bool TryDequeue(out T item, out double time)
    {
        if (Count == 0)
        {
            item = default;
            time = 0;
            return false;
        }

        var top = _heap[0];
        item = top.Item;
        time = top.Time;
        var last = _heap[--Count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
                break;
            if (child + 1 < Count && Less(_heap[child + 1], _heap[child]))
                child++;
            if (!Less(_heap[child], last))
                break;
            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = last;
        return true;
    }

    private static bool Less(in Entry a, in Entry b) => a.Time < b.Time || (a.Time == b.Time && a.Order < b.Order);

    private readonly record struct Entry(double Time, long Order, T Item);
}
