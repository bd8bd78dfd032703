namespace Tpd.Simulation.Workloads;

/// <summary>Stream numbers for <see cref="IWorkloadContext.Random"/>: one per purpose, so draws of one never shift another.</summary>
internal static class RandomStreams
{
    public const ulong Arrivals = 1;
    public const ulong Lengths = 2;
    public const ulong Think = 3;
    public const ulong Turns = 4;
}
