namespace Tpd.Bench.Streaming;

/// <summary>One server-sent event: its data lines joined by "\n", and the tick at which its terminating blank line was read.</summary>
public readonly record struct SseEvent(string Data, long Timestamp, string? EventName = null);
