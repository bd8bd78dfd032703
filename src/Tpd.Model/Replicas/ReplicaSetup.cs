using Tpd.Core.Catalog;
using Tpd.Core.Units;
using Tpd.Model.Serving;

namespace Tpd.Model.Replicas;

/// <summary>How one replica of a model is served; the model itself is the <see cref="ReplicaBuilder"/>'s.</summary>
public sealed record ReplicaSetup
{
    public required GpuSpec Gpu { get; init; }

    public ServingConfig Serving { get; init; } = new();

    public Efficiency Efficiency { get; init; } = Efficiency.Default;

    /// <summary>Memory per GPU instead of the catalog's (e.g. the seed's "B200 with 192 GB"); null: the catalog's usable memory.</summary>
    public DataSize? MemoryPerGpu { get; init; }
}
