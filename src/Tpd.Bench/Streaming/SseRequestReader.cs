namespace Tpd.Bench.Streaming;

/// <summary>Reads one response body into a <see cref="RequestRecordBuilder"/>, turning transport failures into outcomes.</summary>
public static class SseRequestReader
{
    /// <summary>
    /// Reads events until [DONE], an error event, or the end of the stream. A reset connection mid-stream
    /// becomes "connection_reset"; cancellation by <paramref name="timeout"/> becomes "timeout". Cancellation
    /// of <paramref name="cancellationToken"/> (the run is stopping) propagates. A timeout is an error even mid-stream
    /// (MEASURE.md lists it with errors); a reset after the first token is an incomplete stream.
    /// </summary>
    public static async Task ReadAsync(
        Stream body,
        RequestRecordBuilder builder,
        RunClock clock,
        CancellationToken timeout = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout, cancellationToken);
        var partial = false;
        try
        {
            await foreach (var e in SseReader.ReadAsync(body, clock.Ticks, () => partial = true, linked.Token).ConfigureAwait(false))
            {
                builder.Event(e, clock.Seconds(e.Timestamp));
                if (builder.Finished)
                    return;
            }

            builder.EndOfStream(clock.NowSeconds(), partial);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            builder.Failed(clock.NowSeconds(), "timeout", "the request exceeded its timeout", midStream: false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            builder.Failed(clock.NowSeconds(), "connection_reset", ex.Message, midStream: true);
        }
    }
}
