namespace Tpd.Twin.Tests.Support;

/// <summary>Tests that compare wall-clock latencies run alone, not beside the rest of the suite on a 2-core box.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WallClock
{
    public const string Name = "Wall-clock timing";
}
