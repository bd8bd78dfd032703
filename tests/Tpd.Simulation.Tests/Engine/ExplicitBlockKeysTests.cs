using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tpd.Core.Measurement;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Time;
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
        var chat = Sim.Run(WorkloadPreset.Chat.AtRate(2), 60, replicas: 3, routing: RoutingPolicy.SessionAffinity, seed: 7);
        var rag = Sim.Run(WorkloadPreset.Rag.AtRate(3), 60, replicas: 2, seed: 11);
        var tight = Sim.Run(new OpenLoopWorkload(ArrivalProcess.Gamma(20, 3), RequestLengths.Independent(LengthDistribution.LogNormal(300, 0.8), LengthDistribution.LogNormal(200, 0.8, 1500)), sharedPrefixTokens: 64), 30, engine: Sim.Engine(kvBlocks: 400), replicas: 2, seed: 3);

        chat.Result.PrefixCacheHitRate.ShouldBeGreaterThan(0);
        tight.Result.Preemptions.ShouldBeGreaterThan(0);
        Digest(chat.Records).ShouldBe("283cef539ff8caca 155");
        Digest(rag.Records).ShouldBe("98cd032093020b0a 177");
        Digest(tight.Records).ShouldBe("62737f3e41c0d1e6 830");
    }

    // Keys with the sign bit set, as RequestSpec.BlockKeys asks: block j of "content" c.
    private static long Key(int content, int block) => long.MinValue | ((long)content << 32) | (uint)block;

    private static long[] Keys(int blocks, int content, int from = 0) => [.. Enumerable.Range(from, blocks).Select(j => Key(content, j))];

    /// <summary>Sends each spec at its time (seconds), in order.</summary>
    private sealed class Scripted(params (double At, RequestSpec Spec)[] requests) : IWorkload
    {
        public void Start(IWorkloadContext context) => context.ScheduleTimer(SimTime.FromSeconds(requests[0].At), 0);

        public void OnTimer(long token, IWorkloadContext context)
        {
            context.Submit(requests[token].Spec);
            if (token + 1 < requests.Length)
                context.ScheduleTimer(SimTime.FromSeconds(requests[token + 1].At), token + 1);
        }

        public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
        {
        }
    }

    private static RequestSpec Spec(int input, int output, long[] keys) => RequestSpec.Single(input, output) with { BlockKeys = keys };

    private static IReadOnlyList<RequestRecord> Run(params (double At, RequestSpec Spec)[] requests) =>
        [.. Sim.Run(new Scripted(requests), 600).Records.OrderBy(r => r.Id)];

    [Fact]
    public void A_request_with_the_same_block_keys_hits_every_full_prompt_block_but_the_one_holding_the_last_token()
    {
        // 2,048 tokens are 128 blocks; vLLM recomputes the last prompt token, so 127 blocks (2,032 tokens) hit.
        var records = Run((0, Spec(2048, 8, Keys(128, 1))), (10, Spec(2048, 8, Keys(128, 1))), (20, Spec(2050, 8, Keys(128, 1))));

        records[0].CachedInputTokens.ShouldBe(0);
        records[1].CachedInputTokens.ShouldBe(2032);
        records[2].CachedInputTokens.ShouldBe(2048);
        records[1].TtftSeconds!.Value.ShouldBeLessThan(records[0].TtftSeconds!.Value / 2);
    }

    [Fact]
    public void A_request_sharing_its_first_k_block_keys_hits_exactly_k_blocks()
    {
        foreach (var k in new[] { 1, 5, 40 })
        {
            long[] shared = [.. Keys(k, 1), .. Keys(64 - k, 2, from: k)];
            var records = Run((0, Spec(1024, 8, Keys(64, 1))), (10, Spec(1024, 8, shared)));

            records[1].CachedInputTokens.ShouldBe(16 * k, $"k = {k}");
        }
    }

    [Fact]
    public void Requests_with_other_keys_or_no_keys_find_nothing()
    {
        var records = Run((0, Spec(1024, 8, Keys(64, 1))), (10, Spec(1024, 8, Keys(64, 2))), (20, RequestSpec.Single(1024, 8)), (30, Spec(1024, 8, Keys(64, 3))));

        records.Skip(1).ShouldAllBe(r => r.CachedInputTokens == 0);
    }

    [Fact]
    public void Blocks_past_the_given_keys_keep_a_private_identity()
    {
        // The second request names only its first 10 blocks; the rest are its own, so they cannot hit.
        var records = Run((0, Spec(1024, 8, Keys(64, 1))), (10, Spec(1024, 8, Keys(10, 1))));

        records[1].CachedInputTokens.ShouldBe(160);
    }

    [Fact]
    public void Keys_of_output_blocks_let_a_next_turn_that_carries_the_reply_hit_them()
    {
        // Turn 1: 100 prompt + 60 output tokens, keys over all 10 full blocks; KV exists for the first 159 tokens
        // (the last output token is never fed back), so 9 full blocks are cached. Turn 2 extends it to 300 tokens.
        var turn2 = Keys(18, 1);
        var records = Run((0, Spec(100, 60, Keys(10, 1))), (10, Spec(300, 8, turn2)));

        records[1].CachedInputTokens.ShouldBe(16 * 9);
    }

    [Fact]
    public void With_prefix_caching_off_block_keys_change_nothing()
    {
        var engine = Sim.Engine() with { EnablePrefixCaching = false };
        var result = Sim.Run(new Scripted((0, Spec(2048, 8, Keys(128, 1))), (10, Spec(2048, 8, Keys(128, 1)))), 600, engine: engine);

        result.Records.ShouldAllBe(r => r.CachedInputTokens == 0);
        result.Records[1].TtftSeconds!.Value.ShouldBe(result.Records[0].TtftSeconds!.Value, 1e-9);
    }

    [Fact]
    public void Under_kv_pressure_keyed_requests_are_preempted_recompute_over_their_own_blocks_and_all_finish()
    {
        // 40 requests of 600 + 400 tokens (63 blocks each) arriving together on 400 blocks: at most six fit, decodes
        // grow them into preemptions. Half share a 20-block prefix.
        var requests = Enumerable.Range(0, 40)
            .Select(i => (At: i * 0.01, Spec: Spec(600, 400, i % 2 == 0 ? [.. Keys(20, 1), .. Keys(42, 100 + i, from: 20)] : Keys(62, 100 + i))))
            .ToArray();

        var a = Sim.Run(new Scripted(requests), 600, engine: Sim.Engine(kvBlocks: 400));
        var b = Sim.Run(new Scripted(requests), 600, engine: Sim.Engine(kvBlocks: 400));

        a.Result.Completed.ShouldBe(40);
        a.Result.Preemptions.ShouldBeGreaterThan(0);
        // Hits are counted at first admission: the shared prefix of the even requests that came after the first, while it stayed cached.
        a.Records.ShouldAllBe(r => r.CachedInputTokens == 0 || r.CachedInputTokens == 320);
        a.Records.Count(r => r.CachedInputTokens == 320).ShouldBeGreaterThan(5);
        Digest(b.Records).ShouldBe(Digest(a.Records));
    }
}
