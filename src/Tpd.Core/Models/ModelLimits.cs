namespace Tpd.Core.Models;

/// <summary>
/// The ranges a model description must fall in, for config.json and inline custom specs alike. Each upper
/// bound sits well above the largest published model (named beside it), so a plausible future model passes
/// while a typo or a hostile value (a billion layers, a 2 GB array of layer spans) is an error that names
/// the field. docs/validation/robustness.md lists them with the other input limits.
/// </summary>
public static class ModelLimits
{
    /// <summary>Longest config.json text read: 1 MiB. The largest in the catalog is 13 KB (Qwen3-235B-A22B-FP8, whose ignore list names every layer).</summary>
    public const int MaxConfigChars = 1 << 20;

    /// <summary>JSON nesting depth: 64, System.Text.Json's default; config.json nests 4 deep (quantization_config.config_groups.group_0.weights).</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Decoder layers: 126 in Llama-3.1-405B.</summary>
    public const int MaxLayers = 4_096;

    /// <summary>Hidden size: 16,384 in Llama-3.1-405B.</summary>
    public const int MaxHidden = 262_144;

    /// <summary>Attention heads (query or key/value): 128 in DeepSeek-V3.</summary>
    public const int MaxHeads = 16_384;

    /// <summary>Width of one head, and the MLA ranks and RoPE/NoPE widths: 256 in Gemma 3, 1,536 for DeepSeek-V3's q_lora_rank.</summary>
    public const int MaxHeadDim = 65_536;

    /// <summary>Dense MLP and expert widths: 53,248 in Llama-3.1-405B.</summary>
    public const int MaxIntermediate = 1 << 20;

    /// <summary>Vocabulary entries: 262,208 in Gemma 3.</summary>
    public const int MaxVocab = 1 << 24;

    /// <summary>Routed experts per MoE layer (and experts per token): 384 in Kimi K2.</summary>
    public const int MaxExperts = 65_536;

    /// <summary>Total parameters: 1e15 (a thousand trillion); the largest published open model has about 1e12 (Kimi K2).</summary>
    public const double MaxParams = 1e15;

    /// <summary>Quantization group size: 128 is usual, 32 to 1,024 in published checkpoints; -1 means one scale per output channel.</summary>
    public const int MaxGroupSize = 1 << 20;
}
