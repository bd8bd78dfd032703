using Tpd.Llama.Gguf;

namespace Tpd.Llama.Model;

/// <summary>
/// The hyperparameters of a random-weight Llama model (llama.cpp architecture "llama": RMSNorm, rotary positions,
/// grouped-query attention, SwiGLU feed-forward, untied output matrix). The defaults make a model of about 12 MB
/// that decodes in a few milliseconds a token on two cores, with Llama-2's 32,000-token vocabulary so that load
/// generators drawing token ids from [1000, 21000) (tpd bench does) send valid prompts.
/// </summary>
public sealed record LlamaShape
{
    public int Layers { get; init; } = 2;
    public int Hidden { get; init; } = 128;

    /// <summary>Width of the SwiGLU feed-forward layer; 3x hidden by default (Llama uses about 2.7x to 3.5x).</summary>
    public int FeedForward { get; init; } = 384;

    public int Heads { get; init; } = 4;

    /// <summary>Key/value heads: fewer than <see cref="Heads"/> is grouped-query attention, as in Llama 2 70B and Llama 3.</summary>
    public int KvHeads { get; init; } = 2;

    /// <summary>Tokens in the vocabulary: at least <see cref="ByteVocabulary.BaseSize"/>; the rest are synthetic words.</summary>
    public int VocabSize { get; init; } = 32_000;

    /// <summary>The model's context length (llama.context_length), served as max_model_len.</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary>Type of the matrices; norms are always F32 (as llama.cpp's converter keeps 1-D tensors).</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F16;

    /// <summary>Seed of the weights: the same shape and seed give the same file, byte for byte.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>RoPE base frequency; 10,000 as Llama 1 and 2.</summary>
    public float RopeFreqBase { get; init; } = 10_000f;

    /// <summary>RMSNorm epsilon; 1e-5 as Llama 2.</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    public int HeadDim => Hidden / Heads;
    public int KvDim => HeadDim * KvHeads;

    /// <summary>Every weight: embeddings, output matrix, norms and the layers' attention and feed-forward matrices.</summary>
    public long ParameterCount
    {
        get
        {
            long h = Hidden, f = FeedForward, kv = KvDim;
            var perLayer = h * h * 2 + h * kv * 2 + h * f * 3 + h * 2;
            return VocabSize * h * 2 + h + Layers * perLayer;
        }
    }

    /// <summary>KV cache bytes per token at llama.cpp's default F16 cache: layers x (K + V) x KV width x 2 bytes.</summary>
    public long KvBytesPerToken => Layers * 2L * KvDim * 2;

    /// <summary>Every problem with the shape, each saying what to change; empty when the shape is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Positive(string name, int value, int max)
        {
            if (value < 1 || value > max)
                errors.Add($"{name} {value} must be from 1 to {max:N0}");
        }

        Positive("layers", Layers, 512);
        Positive("hidden", Hidden, 65_536);
        Positive("ff", FeedForward, 262_144);
        Positive("heads", Heads, 1024);
        Positive("kv-heads", KvHeads, 1024);
        Positive("context", ContextLength, 1_048_576);
        if (VocabSize < ByteVocabulary.BaseSize || VocabSize > 500_000)
            errors.Add($"vocab {VocabSize} must be from {ByteVocabulary.BaseSize} (specials, 256 bytes, ASCII and '▁x' pieces) to 500,000");
        if (Heads > 0 && Hidden % Heads != 0)
            errors.Add($"hidden {Hidden} must be a multiple of heads {Heads}");
        else if (Heads > 0 && HeadDim % 2 != 0)
            errors.Add($"head size hidden/heads = {HeadDim} must be even for rotary positions");
        if (KvHeads > 0 && Heads % KvHeads != 0)
            errors.Add($"heads {Heads} must be a multiple of kv-heads {KvHeads}");
        if (WeightType is not (GgmlType.F16 or GgmlType.Q8_0 or GgmlType.F32))
            errors.Add($"weight type {WeightType} is not one this writer produces; use f16, q8_0 or f32");
        if (WeightType == GgmlType.Q8_0 && (Hidden % TensorEncoding.Q8BlockSize != 0 || FeedForward % TensorEncoding.Q8BlockSize != 0))
            errors.Add($"q8_0 needs hidden ({Hidden}) and ff ({FeedForward}) to be multiples of {TensorEncoding.Q8BlockSize}");
        return errors;
    }

    /// <summary>One line for banners and docs: "2 layers, hidden 128, ff 384, 4 heads (2 KV), vocab 32,000, F16, 8.6M parameters".</summary>
    public string Describe() =>
        $"{Layers} layers, hidden {Hidden}, ff {FeedForward}, {Heads} heads ({KvHeads} KV), vocab {VocabSize:N0}, context {ContextLength:N0}, {WeightType}, {ParameterCount / 1e6:0.0}M parameters";
}
