namespace Tpd.Core.Measurement;

/// <summary>
/// When output tokens came out, reconstructed from records: events at t_first plus the running sum of the
/// ITL gaps (or, without gaps, N_out points spread evenly from t_first to t_last), each event carrying
/// N_out / events tokens. Used for the peak token rate and the warm-up/cool-down window variant.
/// </summary>
public static class TokenTimeline
{
    /// <summary>(time in s, tokens) for every token-bearing event of an ok, non-warm-up record.</summary>
    public static IEnumerable<(double Seconds, double Tokens)> Events(RequestRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Outcome != RequestOutcome.Ok || r.OutputTokens <= 0 || r.FirstTokenSeconds is not { } first)
            yield break;

        if (r.InterTokenGaps.Count > 0)
        {
            var perEvent = (double)r.OutputTokens / (r.InterTokenGaps.Count + 1);
            var t = first;
            yield return (t, perEvent);
            foreach (var gap in r.InterTokenGaps)
            {
                t += gap;
                yield return (t, perEvent);
            }

            yield break;
        }

        var last = r.LastTokenSeconds ?? first;
        if (r.OutputTokens == 1)
        {
            yield return (first, 1);
            yield break;
        }

        var step = (last - first) / (r.OutputTokens - 1);
        for (var i = 0; i < r.OutputTokens; i++)
            yield return (first + (i * step), 1);
    }

    /// <summary>Highest output tokens counted in any 1 s bucket, buckets starting at <paramref name="origin"/>.</summary>
    public static double PeakTokensPerSecond(IEnumerable<RequestRecord> records, double origin)
    {
        var buckets = new Dictionary<long, double>();
        foreach (var r in records.Where(r => !r.Warmup))
        {
            foreach (var (t, tokens) in Events(r))
            {
                var bucket = (long)Math.Floor(t - origin);
                buckets[bucket] = buckets.GetValueOrDefault(bucket) + tokens;
            }
        }

        return buckets.Count == 0 ? 0 : buckets.Values.Max();
    }

    /// <summary>Output tokens emitted inside [start, end) divided by (end - start): the steady-state window variant.</summary>
    public static double TokensPerSecondInWindow(IEnumerable<RequestRecord> records, double start, double end)
    {
        if (!(end > start))
            throw new ArgumentOutOfRangeException(nameof(end), end, $"the window end must be after its start ({start} s)");

        var tokens = records.Where(r => !r.Warmup)
            .SelectMany(Events)
            .Where(e => e.Seconds >= start && e.Seconds < end)
            .Sum(e => e.Tokens);
        return tokens / (end - start);
    }
}
