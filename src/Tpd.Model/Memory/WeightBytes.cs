using Tpd.Core.Units;

namespace Tpd.Model.Memory;

/// <summary>Bytes of the weights of one whole model (all GPUs of a replica together), by what a step reads.</summary>
public sealed record WeightBytes
{
    /// <summary>Routed experts (read only for experts a step touches).</summary>
    public required DataSize RoutedExperts { get; init; }

    /// <summary>Everything else: attention, dense MLPs, shared experts, router, norms, LM head (read every step).</summary>
    public required DataSize NonExpert { get; init; }

    /// <summary>Input embedding table (resident, looked up, not streamed through a matmul unless tied).</summary>
    public required DataSize Embedding { get; init; }

    public DataSize Total => RoutedExperts + NonExpert + Embedding;

    /// <summary>Bytes of one routed expert in one layer.</summary>
    public required DataSize PerExpert { get; init; }

    /// <summary>Effective bits per parameter over the whole model, metadata included.</summary>
    public required double BitsPerParameter { get; init; }
}
