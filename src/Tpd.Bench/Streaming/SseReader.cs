using System.Runtime.CompilerServices;

namespace Tpd.Bench.Streaming;

/// <summary>Reads server-sent events from a stream as they arrive.</summary>
public static class SseReader
{
    /// <summary>
    /// Yields each event as soon as the read that completes it returns. An event cut off by the end of the
    /// stream is dropped (the spec's rule); <paramref name="onPartialEnd"/> is told so the caller can flag it.
    /// </summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(
        Stream stream,
        Func<long> clock,
        Action? onPartialEnd = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var parser = new SseParser(clock);
        var buffer = new byte[16 * 1024];
        var events = new List<SseEvent>();
        while (true)
        {
            var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            parser.Feed(buffer.AsSpan(0, n), events);
            foreach (var e in events)
                yield return e;
            events.Clear();
        }

        if (parser.HasPartialEvent)
            onPartialEnd?.Invoke();
    }
}
