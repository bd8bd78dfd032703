using Tpd.Simulation.Engine;

namespace Tpd.Simulation.Tests.Engine;

public class BlockPoolTests
{
    [Fact]
    public void Allocate_and_release_keep_the_free_count()
    {
        var pool = new BlockPool(4);
        var a = pool.Allocate();
        var b = pool.Allocate();

        pool.FreeCount.ShouldBe(2);
        pool.Release(a);
        pool.Release(b);
        pool.FreeCount.ShouldBe(4);
    }

    [Fact]
    public void A_released_cached_block_can_be_found_and_taken_back()
    {
        var pool = new BlockPool(4);
        var a = pool.Allocate();
        pool.Register(a, 42);
        pool.Release(a);

        pool.Lookup(42).ShouldBe(a);
        pool.IsFree(a).ShouldBeTrue();
        pool.Touch(a);
        pool.FreeCount.ShouldBe(3);
        pool.IsFree(a).ShouldBeFalse();
    }

    [Fact]
    public void Content_free_blocks_are_handed_out_before_cached_ones_are_evicted()
    {
        var pool = new BlockPool(3);
        var a = pool.Allocate();
        pool.Register(a, 1);
        pool.Release(a);

        var b = pool.Allocate();
        var c = pool.Allocate();

        new[] { b, c }.ShouldNotContain(a);
        pool.Lookup(1).ShouldBe(a);
    }

    [Fact]
    public void Cached_blocks_are_evicted_least_recently_freed_first()
    {
        var pool = new BlockPool(2);
        var a = pool.Allocate();
        var b = pool.Allocate();
        pool.Register(a, 1);
        pool.Register(b, 2);
        pool.Release(b);
        pool.Release(a);

        pool.Allocate().ShouldBe(b);
        pool.Lookup(2).ShouldBe(-1);
        pool.Lookup(1).ShouldBe(a);
    }

    [Fact]
    public void A_block_shared_by_two_requests_is_free_only_after_both_release_it()
    {
        var pool = new BlockPool(2);
        var a = pool.Allocate();
        pool.Register(a, 7);
        pool.Touch(a);

        pool.Release(a);
        pool.IsFree(a).ShouldBeFalse();
        pool.Release(a);
        pool.IsFree(a).ShouldBeTrue();
        pool.FreeCount.ShouldBe(2);
    }

    [Fact]
    public void The_first_block_registered_for_a_content_keeps_it()
    {
        var pool = new BlockPool(2);
        var a = pool.Allocate();
        var b = pool.Allocate();
        pool.Register(a, 9);
        pool.Register(b, 9);

        pool.Lookup(9).ShouldBe(a);
        pool.CachedCount.ShouldBe(1);
    }

    [Fact]
    public void Allocating_from_an_empty_pool_throws()
    {
        var pool = new BlockPool(1);
        pool.Allocate();

        Should.Throw<InvalidOperationException>(() => pool.Allocate()).Message.ShouldContain("FreeCount");
    }
}
