using Tpd.Bench.Http;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Load;

/// <summary>Sends one request and returns its record; never throws for server or transport failures (they become outcomes).</summary>
public interface IRequestSender
{
    /// <summary>Sends <paramref name="request"/> as request <paramref name="id"/>, due at <paramref name="scheduledSeconds"/> (t_sched) on the run clock.</summary>
    Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduledSeconds, bool warmup, CancellationToken cancellationToken);
}
