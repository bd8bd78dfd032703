using Tpd.Bench.Http;

namespace Tpd.Bench.Load;

/// <summary>
/// The workload: the request to send as the n-th of the measured phase (0-based). Warm-up requests ask for
/// negative indices (-1, -2, ...), so a source can give them prompts the measured phase never repeats (a warm-up
/// prompt sent again would be a prefix-cache hit and flatter the measured TTFT).
/// </summary>
public interface IRequestSource
{
    BenchRequest RequestAt(long index);
}
