namespace Tpd.Simulation.Engine;

/// <summary>A growable ring buffer: FIFO waiting queue that preempted requests rejoin at the front (vLLM prepends them).</summary>
internal sealed class Deque<T>
{
    private T[] _items = new T[16];
    private int _head;

    public int Count { get; private set; }

    public T First => _items[_head];

    public void AddLast(T item)
    {
        Grow();
        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public void AddFirst(T item)
    {
        Grow();
        _head = (_head - 1 + _items.Length) % _items.Length;
        _items[_head] = item;
        Count++;
    }

    public T RemoveFirst()
    {
        var item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    private void Grow()
    {
        if (Count < _items.Length)
            return;
        var bigger = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++)
            bigger[i] = _items[(_head + i) % _items.Length];
        _items = bigger;
        _head = 0;
    }
}
