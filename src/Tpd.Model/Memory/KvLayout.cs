using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;

namespace Tpd.Model.Memory;

/// <summary>
/// How a model lays out its KV cache, and from it the bytes per token and per sequence on one GPU of a
/// tensor-parallel group.
/// GQA/MHA: 2 (K and V) x layers x KV heads on this GPU x head_dim x bytes; KV heads split across TP
/// ranks but never below one, so when TP exceeds the KV heads each rank holds a replica (vLLM
/// replicates KV heads when tp_size &gt; num_key_value_heads).
/// MLA: layers x (kv_lora_rank + qk_rope_head_dim) x bytes, the compressed latent that vLLM stores
/// whole on every TP rank.
/// Computed once per model by <see cref="ModelShape"/>.
/// </summary>
public sealed class KvLayout
{
    private readonly int _fullLayers;
    private readonly int _slidingLayers;
    private readonly int _window;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _mlaWidth;
    private readonly string _modelId;

    private KvLayout(ModelArchitecture a)
    {
        _slidingLayers = a.SlidingWindow is null ? 0 : a.SlidingLayerCount;
        _fullLayers = a.NumLayers - _slidingLayers;
        _window = a.SlidingWindow ?? int.MaxValue;
        _kvHeads = a.NumKeyValueHeads;
        _headDim = a.HeadDim;
        _mlaWidth = a.Mla is { } mla ? mla.KvLoraRank + mla.QkRopeHeadDim : 0;
        _modelId = a.Id;
    }

    /// <summary>The layout of <paramref name="model"/>'s cache.</summary>
    public static KvLayout Of(ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new KvLayout(model);
    }

    /// <summary>Bytes one token adds to the cache on each GPU of the TP group, every layer counted (no window cap).</summary>
    public DataSize BytesPerToken(KvFormat f, int tensorParallel) =>
        DataSize.FromBytes((_fullLayers + _slidingLayers) * ElementsPerLayer(tensorParallel) * f.BytesPerElement());

    /// <summary>
    /// Bytes one sequence of <paramref name="contextTokens"/> tokens holds on each GPU of the TP group:
    /// full-attention layers keep every token, sliding-window layers at most the window.
    /// </summary>
    public DataSize BytesForContext(KvFormat f, int tensorParallel, double contextTokens)
    {
        if (!double.IsFinite(contextTokens) || contextTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(contextTokens), contextTokens, $"context must be a finite number of tokens, at least 0; got {contextTokens}.");
        var tokenLayers = (_fullLayers * contextTokens) + (_slidingLayers * Math.Min(contextTokens, _window));
        return DataSize.FromBytes(tokenLayers * ElementsPerLayer(tensorParallel) * f.BytesPerElement());
    }

    /// <summary>KV heads each GPU holds at this TP degree: kv_heads / tp, at least 1 (replicated when tp exceeds kv_heads).</summary>
    public int KvHeadsPerGpu(int tensorParallel)
    {
        Validate(tensorParallel);
        return Math.Max(1, _kvHeads / tensorParallel);
    }

    private double ElementsPerLayer(int tp)
    {
        Validate(tp);
        return _mlaWidth > 0 ? _mlaWidth : 2.0 * Math.Max(1, _kvHeads / tp) * _headDim;
    }

    private void Validate(int tp)
    {
        if (tp < 1)
            throw new ArgumentOutOfRangeException(nameof(tp), tp, $"tensor parallel degree must be at least 1, got {tp}.");
        if (_mlaWidth == 0 && _kvHeads % tp != 0 && tp % _kvHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tp), tp,
                $"tensor parallel {tp} does not split the {_kvHeads} KV heads of {_modelId} evenly; "
                + $"use a TP degree that divides {_kvHeads} or is a multiple of it ({string.Join(", ", Suggestions(_kvHeads))}).");
        }
    }

    private static IEnumerable<int> Suggestions(int kvHeads)
    {
        for (var t = 1; t <= kvHeads; t++)
        {
            if (kvHeads % t == 0)
                yield return t;
        }

        yield return kvHeads * 2;
    }
}
