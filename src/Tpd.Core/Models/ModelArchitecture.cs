namespace Tpd.Core.Models;

/// <summary>Attention span of one decoder layer.</summary>
public enum AttentionSpan
{
    /// <summary>Attends to the whole context.</summary>
    Full,

    /// <summary>Attends to the last <see cref="ModelArchitecture.SlidingWindow"/> tokens only.</summary>
    Sliding,
}

/// <summary>Normalisation layers: RMSNorm has a weight vector, LayerNorm a weight and a bias.</summary>
public enum NormKind
{
    RmsNorm,
    LayerNorm,
}

/// <summary>
/// A decoder-only transformer as its Hugging Face config.json describes it. Values are read from the
/// file, never re-derived: <see cref="HeadDim"/> is the config's head_dim when present (Qwen3 sets 128
/// where hidden/heads gives 80).
/// </summary>
public sealed record ModelArchitecture
{
    /// <summary>Catalog id or file-derived name, e.g. "llama-3.1-70b".</summary>
    public required string Id { get; init; }

    /// <summary>Display name, e.g. "Llama-3.1-70B".</summary>
    public required string Name { get; init; }

    /// <summary>config.json model_type, e.g. "llama", "deepseek_v3", "gpt_oss".</summary>
    public string ModelType { get; init; } = "";

    public required int NumLayers { get; init; }
    public required int HiddenSize { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }

    /// <summary>Dense MLP width (also the leading dense layers of an MoE model).</summary>
    public required int IntermediateSize { get; init; }

    public required int VocabSize { get; init; }
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Gated MLP (SwiGLU/GeGLU: gate, up, down = 3 matrices) versus plain (up, down).</summary>
    public bool GatedMlp { get; init; } = true;

    /// <summary>Biases on the Q, K and V projections (Qwen2, gpt-oss).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the attention output projection (gpt-oss).</summary>
    public bool OutputBias { get; init; }

    /// <summary>Biases on MLP / expert projections (gpt-oss experts).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Learned attention-sink logits, one per query head per layer (gpt-oss).</summary>
    public bool AttentionSinks { get; init; }

    /// <summary>Per-head RMSNorm on Q and K (Qwen3, Gemma 3): 2 x head_dim weights per layer.</summary>
    public bool QkNorm { get; init; }

    public NormKind Norm { get; init; } = NormKind.RmsNorm;

    /// <summary>Norm layers per decoder layer: 2 (pre-attention, pre-MLP); Gemma 2/3 use 4 (pre and post).</summary>
    public int NormsPerLayer { get; init; } = 2;

    public int MaxPositionEmbeddings { get; init; }

    /// <summary>Window of sliding-window layers, in tokens; null when no layer slides.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Span of every layer, length <see cref="NumLayers"/>; all Full when the model has no sliding layers.</summary>
    public required IReadOnlyList<AttentionSpan> LayerSpans { get; init; }

    public MoeSpec? Moe { get; init; }

    public MlaSpec? Mla { get; init; }

    /// <summary>How the published checkpoint is quantized (config.json quantization_config); null for bf16/fp16 checkpoints.</summary>
    public CheckpointQuantization? Quantization { get; init; }

    /// <summary>Parameter count published by the authors, for checks; null when unknown.</summary>
    public double? PublishedTotalParams { get; init; }

    /// <summary>Active parameters published by the authors (MoE), for checks.</summary>
    public double? PublishedActiveParams { get; init; }

    /// <summary>Where the figures came from (config.json path, repo and commit).</summary>
    public string Source { get; init; } = "";

    /// <summary>
    /// True when the publisher's active-parameter figure leaves out the input embedding lookup
    /// (gpt-oss model card, DeepSeek-V3 README_WEIGHTS.md); false when it counts it (Mixtral, Qwen).
    /// </summary>
    public bool PublishedActiveExcludesEmbedding { get; init; }

    /// <summary>What the reader assumed or ignored while reading the config (defaults applied, fields ignored, unknown types).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public int SlidingLayerCount => LayerSpans.Count(s => s == AttentionSpan.Sliding);
}

/// <summary>Mixture of experts. Layers before <see cref="FirstDenseLayers"/> and layers not on the
/// <see cref="LayerFrequency"/> stride use the dense MLP of width IntermediateSize.</summary>
public sealed record MoeSpec
{
    /// <summary>Routed experts per MoE layer (num_local_experts / num_experts / n_routed_experts).</summary>
    public required int NumExperts { get; init; }

    /// <summary>Routed experts each token activates (num_experts_per_tok).</summary>
    public required int ExpertsPerToken { get; init; }

    /// <summary>Width of each routed expert (moe_intermediate_size; Mixtral uses intermediate_size).</summary>
    public required int ExpertIntermediateSize { get; init; }

    /// <summary>Shared experts that every token uses (n_shared_experts); 0 when none.</summary>
    public int NumSharedExperts { get; init; }

    /// <summary>Width of each shared expert; defaults to the routed width (DeepSeek) when 0.</summary>
    public int SharedExpertIntermediateSize { get; init; }

    /// <summary>Leading layers with a dense MLP (first_k_dense_replace).</summary>
    public int FirstDenseLayers { get; init; }

    /// <summary>Every n-th layer is MoE (moe_layer_freq / decoder_sparse_step); 1 = all.</summary>
    public int LayerFrequency { get; init; } = 1;

    /// <summary>Router (gate) has a bias (gpt-oss) or a correction bias (DeepSeek-V3 e_score_correction_bias).</summary>
    public bool RouterBias { get; init; }

    /// <summary>Layers that keep a dense MLP whatever the stride says (Qwen MoE mlp_only_layers).</summary>
    public IReadOnlyList<int> DenseLayerIndices { get; init; } = [];

    /// <summary>A sigmoid gate of hidden x 1 weights scales the shared expert's output (Qwen2-MoE shared_expert_gate).</summary>
    public bool SharedExpertGate { get; init; }

    public bool IsMoeLayer(int layer) =>
        layer >= FirstDenseLayers
        && (layer + 1) % Math.Max(1, LayerFrequency) == 0
        && (DenseLayerIndices.Count == 0 || !DenseLayerIndices.Contains(layer));
}

/// <summary>Multi-head latent attention (DeepSeek-V2/V3): KV compressed to a latent of kv_lora_rank plus a shared RoPE key.</summary>
public sealed record MlaSpec
{
    /// <summary>Rank of the query compression; null when queries are not compressed (V2-Lite).</summary>
    public int? QLoraRank { get; init; }

    public required int KvLoraRank { get; init; }
    public required int QkRopeHeadDim { get; init; }
    public required int QkNopeHeadDim { get; init; }
    public required int VHeadDim { get; init; }

    public int QkHeadDim => QkRopeHeadDim + QkNopeHeadDim;
}

/// <summary>Quantization of a published checkpoint, from config.json quantization_config.</summary>
public sealed record CheckpointQuantization
{
    /// <summary>quant_method as written: "fp8", "awq", "gptq", "mxfp4", "compressed-tensors", "modelopt".</summary>
    public required string Method { get; init; }

    /// <summary>Weight format of the quantized modules.</summary>
    public required Formats.WeightFormat Format { get; init; }

    /// <summary>Which weights the quantized format covers.</summary>
    public QuantizedScope Scope { get; init; } = QuantizedScope.AllLinear;

    /// <summary>Module name patterns left in higher precision (modules_to_not_convert / ignore), as written.</summary>
    public IReadOnlyList<string> NotConverted { get; init; } = [];
}

/// <summary>Which linear layers a quantized format applies to. Embeddings, norms and the router stay in bf16 always.</summary>
public enum QuantizedScope
{
    /// <summary>Every decoder linear layer (attention and MLP/experts); LM head stays bf16.</summary>
    AllLinear,

    /// <summary>Only the MoE expert weights (gpt-oss mxfp4: attention and router stay bf16).</summary>
    ExpertsOnly,
}
