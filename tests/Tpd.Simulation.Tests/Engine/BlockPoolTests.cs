using Tpd.Simulation.Engine;

namespace Tpd.Simulation.Tests.Engine;

public class BlockPoolTests
{
    [Fact]
    public void Anonymous_blocks_are_counted_out_and_back()
    {
        var pool = new BlockPool(4);
        pool.TakeAnonymous(3);

        pool.FreeCount.ShouldBe(1);
        pool.UsedCount.ShouldBe(3);
        pool.ReleaseAnonymous(3);
        pool.FreeCount.ShouldBe(4);
    }

    [Fact]
    public void An_identified_block_stays_findable_after_release_and_can_be_taken_back()
    {
        var pool = new BlockPool(4);
        pool.TakeAnonymous(1);
        var a = pool.Identify(42);
        pool.Release(a);

        pool.FreeCount.ShouldBe(4);
        pool.Lookup(42).ShouldBe(a);
        pool.IsFree(a).ShouldBeTrue();
        pool.Touch(a);
        pool.FreeCount.ShouldBe(3);
        pool.IsFree(a).ShouldBeFalse();
    }

    [Fact]
    public void Free_anonymous_blocks_are_used_before_cached_ones_are_evicted()
    {
        var pool = new BlockPool(3);
        pool.TakeAnonymous(1);
        var a = pool.Identify(1);
        pool.Release(a);

        pool.TakeAnonymous(2);

        pool.Lookup(1).ShouldBe(a);
        pool.FreeCount.ShouldBe(1);
    }

    [Fact]
    public void Cached_blocks_are_evicted_least_recently_freed_first()
    {
        var pool = new BlockPool(2);
        pool.TakeAnonymous(2);
        var a = pool.Identify(1);
        var b = pool.Identify(2);
        pool.Release(b);
        pool.Release(a);

        pool.TakeAnonymous(1);

        pool.Lookup(2).ShouldBe(-1);
        pool.Lookup(1).ShouldBe(a);
        pool.CachedCount.ShouldBe(1);
    }

    [Fact]
    public void A_block_shared_by_two_requests_is_free_only_after_both_release_it()
    {
        var pool = new BlockPool(2);
        pool.TakeAnonymous(1);
        var a = pool.Identify(7);
        pool.Touch(a);

        pool.Release(a);
        pool.IsFree(a).ShouldBeFalse();
        pool.Release(a);
        pool.IsFree(a).ShouldBeTrue();
        pool.FreeCount.ShouldBe(2);
    }

    [Fact]
    public void The_first_block_identified_with_a_content_keeps_it()
    {
        var pool = new BlockPool(2);
        pool.TakeAnonymous(2);

        var a = pool.Identify(9);
        pool.Identify(9).ShouldBe(-1);
        pool.Lookup(9).ShouldBe(a);
        pool.CachedCount.ShouldBe(1);
    }

    [Fact]
    public void Taking_more_blocks_than_are_free_throws_with_the_counts()
    {
        var pool = new BlockPool(2);
        pool.TakeAnonymous(1);

        Should.Throw<InvalidOperationException>(() => pool.TakeAnonymous(2)).Message
            .ShouldBe("asked for 2 KV blocks with 1 free; the scheduler must check FreeCount first.");
    }
}
