using System.Text;

namespace Tpd.Bench.Tests.Fakes;

/// <summary>A fake clock in ticks (1 tick = 1 ms here) that scripted reads move forward.</summary>
public sealed class FakeTicks
{
    public const long PerSecond = 1000;
    public long Now { get; set; }
    public long Read() => Now;
}

/// <summary>
/// A read-only stream that returns exactly the scripted byte chunks, one per read, setting the fake clock
/// to each chunk's arrival tick first; then ends, throws (a reset connection) or blocks until cancelled.
/// </summary>
public sealed class ScriptedStream(FakeTicks clock, IEnumerable<(long Tick, byte[] Bytes)> reads) : Stream
{
    private readonly Queue<(long Tick, byte[] Bytes)> _reads = new(reads);

    public Exception? ThrowAtEnd { get; init; }
    public bool BlockAtEnd { get; init; }

    public static (long, byte[]) At(long tick, string text) => (tick, Encoding.UTF8.GetBytes(text));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_reads.Count == 0)
        {
            if (ThrowAtEnd is not null)
                throw ThrowAtEnd;
            if (BlockAtEnd)
                await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        var (tick, bytes) = _reads.Dequeue();
        if (bytes.Length > buffer.Length)
            throw new InvalidOperationException("scripted read larger than the reader's buffer");
        clock.Now = tick;
        bytes.CopyTo(buffer);
        return bytes.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
