using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Engine;

public class PrefixCacheTests
{
    private static ChatSessionOptions Chat(double sessionsPerSecond, int systemPrompt = 0) => new()
    {
        SessionArrivals = ArrivalProcess.Poisson(sessionsPerSecond),
        Turns = LengthDistribution.Fixed(4),
        UserTokens = LengthDistribution.Fixed(100),
        OutputTokens = LengthDistribution.Fixed(50),
        MeanThinkSeconds = 5,
        SystemPromptTokens = systemPrompt,
    };

    [Fact]
    public void Later_chat_turns_hit_every_full_block_of_the_turn_before()
    {
        var (_, records) = Sim.Run(new ChatSessionWorkload(Chat(1)), 60);

        foreach (var session in records.GroupBy(r => r.SessionId))
        {
            var turns = session.OrderBy(r => r.SendSeconds).ToList();
            turns[0].CachedInputTokens.ShouldBe(0);
            for (var k = 1; k < turns.Count; k++)
            {
                // The earlier turn computed KV for its prompt and all but its last output token.
                var earlierBlocks = (turns[k - 1].InputTokens + turns[k - 1].OutputTokens - 1) / 16;
                var promptBlocks = (turns[k].InputTokens - 1) / 16;
                turns[k].CachedInputTokens.ShouldBe(16 * Math.Min(earlierBlocks, promptBlocks));
                turns[k].InputTokens.ShouldBe(turns[k - 1].InputTokens + turns[k - 1].OutputTokens + 100);
            }
        }

        records.Count(r => r.CachedInputTokens > 0).ShouldBeGreaterThan(30);
    }

    [Fact]
    public void Cache_hits_make_later_turns_faster_to_first_token()
    {
        var (_, records) = Sim.Run(new ChatSessionWorkload(Chat(0.2)), 120);
        var (_, uncached) = Sim.Run(new ChatSessionWorkload(Chat(0.2)), 120, engine: Sim.Engine() with { EnablePrefixCaching = false });

        records.Sum(r => r.CachedInputTokens).ShouldBeGreaterThan(0);
        uncached.Sum(r => r.CachedInputTokens).ShouldBe(0);
        records.Where(r => r.CachedInputTokens > 0).Average(r => r.TtftSeconds!.Value)
            .ShouldBeLessThan(uncached.Where(r => r.InputTokens > 300).Average(r => r.TtftSeconds!.Value));
    }

    [Fact]
    public void A_small_cache_evicts_idle_sessions_and_loses_hits()
    {
        var (ample, _) = Sim.Run(new ChatSessionWorkload(Chat(4)), 60);
        var (tight, _) = Sim.Run(new ChatSessionWorkload(Chat(4)), 60, engine: Sim.Engine(kvBlocks: 150));

        ample.PrefixCacheHitRate.ShouldBeGreaterThan(0.4);
        tight.PrefixCacheHitRate.ShouldBeLessThan(ample.PrefixCacheHitRate / 2);
    }

    [Fact]
    public void A_shared_system_prompt_is_cached_once_for_every_request()
    {
        var workload = new OpenLoopWorkload(ArrivalProcess.Poisson(5), RequestLengths.Independent(LengthDistribution.Uniform(10, 400), LengthDistribution.Fixed(20)), sharedPrefixTokens: 512);
        var (_, records) = Sim.Run(workload, 20);

        var ordered = records.OrderBy(r => r.Id).ToList();
        ordered[0].CachedInputTokens.ShouldBe(0);
        ordered.Skip(1).ShouldAllBe(r => r.CachedInputTokens == 512);
    }
}
