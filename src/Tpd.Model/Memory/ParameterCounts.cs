namespace Tpd.Model.Memory;

/// <summary>
/// Parameters of a model by group. Counts are plain numbers of weights (not bytes).
/// Total = sum of all groups; Active = what one token touches (top-k routed experts only).
/// </summary>
public sealed record ParameterCounts
{
    /// <summary>Input embedding table (vocab x hidden).</summary>
    public required double Embedding { get; init; }

    /// <summary>Output projection (LM head); 0 when tied to the embedding.</summary>
    public required double LmHead { get; init; }

    /// <summary>Attention projections of all layers, with biases, MLA projections and norms inside attention, sinks.</summary>
    public required double Attention { get; init; }

    /// <summary>MLPs of dense layers (all layers of a dense model; the leading dense layers of an MoE).</summary>
    public required double DenseMlp { get; init; }

    /// <summary>All routed experts of all MoE layers.</summary>
    public required double RoutedExperts { get; init; }

    /// <summary>Shared experts of all MoE layers.</summary>
    public required double SharedExperts { get; init; }

    /// <summary>Routers (gates) of all MoE layers.</summary>
    public required double Router { get; init; }

    /// <summary>Layer norms and the final norm.</summary>
    public required double Norms { get; init; }

    /// <summary>Parameters of one routed expert (all of its matrices and biases).</summary>
    public required double ParamsPerExpert { get; init; }

    /// <summary>Number of layers with routed experts.</summary>
    public required int MoeLayers { get; init; }

    /// <summary>Routed experts a token activates per MoE layer (top-k).</summary>
    public required int ExpertsPerToken { get; init; }

    public double Total => Embedding + LmHead + Attention + DenseMlp + RoutedExperts + SharedExperts + Router + Norms;

    /// <summary>Routed expert parameters one token touches: top-k experts in each MoE layer.</summary>
    public double ActiveRoutedExperts => ParamsPerExpert * ExpertsPerToken * MoeLayers;

    /// <summary>Parameters one token touches, embeddings included (the convention of published "active" figures).</summary>
    public double Active => Total - RoutedExperts + ActiveRoutedExperts;

    /// <summary>
    /// Parameters that take part in matrix multiplies for one token: active minus the embedding lookup
    /// and norms. 2 x this is the FLOPs per token of the linear layers. With tied embeddings the LM head
    /// matmul still runs on the embedding matrix, so it is counted here.
    /// </summary>
    public double ActiveMatmul => Active - Embedding - Norms + (LmHead == 0 ? Embedding : 0);

    /// <summary>Weights every step reads regardless of routing: everything except the routed experts.</summary>
    public double NonExpert => Total - RoutedExperts;
}
