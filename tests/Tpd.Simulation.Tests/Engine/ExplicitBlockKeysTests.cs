using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tpd.Core.Measurement;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Engine;

public class ExplicitBlockKeysTests
{
    // Times rounded to the microsecond so a last-bit difference in a platform's libm cannot change the digest.
    private static string Digest(IReadOnlyList<RequestRecord> records)
    {
        var text = string.Join(
            "\n",
            records.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Id} {r.SendSeconds:F6} {r.FirstTokenSeconds:F6} {r.LastTokenSeconds:F6} {r.InputTokens} {r.OutputTokens} {r.CachedInputTokens} {r.Preemptions} {r.Replica} {r.SessionId}")));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16] + " " + records.Count.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Requests_without_block_keys_give_the_records_they_gave_before_block_keys_existed()
    {
        // Digests taken on the commit before RequestSpec.BlockKeys was added (c05072e): a chat preset with session
        // affinity (sessions and a system prompt hit the cache), RAG, and a cache so small that requests are
        // preempted and recompute over their own blocks.
        var chat = Sim.Run(WorkloadPresets.Create("chat", 2), 60, replicas: 3, routing: RoutingPolicy.SessionAffinity, seed: 7);
        var rag = Sim.Run(WorkloadPresets.Create("rag", 3), 60, replicas: 2, seed: 11);
        var tight = Sim.Run(new OpenLoopWorkload(ArrivalProcess.Gamma(20, 3), RequestLengths.Independent(LengthDistribution.LogNormal(300, 0.8), LengthDistribution.LogNormal(200, 0.8, 1500)), sharedPrefixTokens: 64), 30, engine: Sim.Engine(kvBlocks: 400), replicas: 2, seed: 3);

        chat.Result.PrefixCacheHitRate.ShouldBeGreaterThan(0);
        tight.Result.Preemptions.ShouldBeGreaterThan(0);
        Digest(chat.Records).ShouldBe("283cef539ff8caca 155");
        Digest(rag.Records).ShouldBe("98cd032093020b0a 177");
        Digest(tight.Records).ShouldBe("62737f3e41c0d1e6 830");
    }
}
