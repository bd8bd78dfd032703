using System.Runtime.CompilerServices;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;

namespace Tpd.Model.Memory;

/// <summary>
/// KV-cache size per token and per sequence on one GPU of a tensor-parallel group.
/// GQA/MHA: 2 (K and V) x layers x KV heads on this GPU x head_dim x bytes; KV heads split across TP
/// ranks but never below one, so when TP exceeds the KV heads each rank holds a replica (vLLM
/// replicates KV heads when tp_size &gt; num_key_value_heads).
/// MLA: layers x (kv_lora_rank + qk_rope_head_dim) x bytes, the compressed latent that vLLM stores
/// whole on every TP rank.
/// </summary>
public static class KvCacheMath
{
    private sealed record Shape(int FullLayers, int SlidingLayers, int Window, int KvHeads, int HeadDim, int MlaWidth, string Id);

    private static readonly ConditionalWeakTable<ModelArchitecture, Shape> Shapes = [];

    // The planner asks about one model many times in a row on each thread: remember the last shape.
    [ThreadStatic]
    private static ModelArchitecture? _lastModel;

    [ThreadStatic]
    private static Shape? _lastShape;

    /// <summary>Bytes one token adds to the cache on each GPU of the TP group, every layer counted (no window cap).</summary>
    public static DataSize BytesPerToken(ModelArchitecture m, KvFormat f, int tensorParallel)
    {
        var s = ShapeOf(m);
        return DataSize.FromBytes((s.FullLayers + s.SlidingLayers) * ElementsPerLayer(s, tensorParallel) * f.BytesPerElement());
    }

    /// <summary>
    /// Bytes one sequence of <paramref name="contextTokens"/> tokens holds on each GPU of the TP group:
    /// full-attention layers keep every token, sliding-window layers at most the window.
    /// </summary>
    public static DataSize BytesForContext(ModelArchitecture m, KvFormat f, int tensorParallel, double contextTokens)
    {
        if (!double.IsFinite(contextTokens) || contextTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(contextTokens), contextTokens, $"context must be a finite number of tokens, at least 0; got {contextTokens}.");
        var s = ShapeOf(m);
        var tokenLayers = (s.FullLayers * contextTokens) + (s.SlidingLayers * Math.Min(contextTokens, s.Window));
        return DataSize.FromBytes(tokenLayers * ElementsPerLayer(s, tensorParallel) * f.BytesPerElement());
    }

    /// <summary>KV heads each GPU holds at this TP degree: kv_heads / tp, at least 1 (replicated when tp exceeds kv_heads).</summary>
    public static int KvHeadsPerGpu(ModelArchitecture m, int tensorParallel)
    {
        var s = ShapeOf(m);
        Validate(s, tensorParallel);
        return Math.Max(1, s.KvHeads / tensorParallel);
    }

    private static double ElementsPerLayer(Shape s, int tp)
    {
        Validate(s, tp);
        return s.MlaWidth > 0 ? s.MlaWidth : 2.0 * Math.Max(1, s.KvHeads / tp) * s.HeadDim;
    }

    private static void Validate(Shape s, int tp)
    {
        if (tp < 1)
            throw new ArgumentOutOfRangeException(nameof(tp), tp, $"tensor parallel degree must be at least 1, got {tp}.");
        if (s.MlaWidth == 0 && s.KvHeads % tp != 0 && tp % s.KvHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tp), tp,
                $"tensor parallel {tp} does not split the {s.KvHeads} KV heads of {s.Id} evenly; "
                + $"use a TP degree that divides {s.KvHeads} or is a multiple of it ({string.Join(", ", Suggestions(s.KvHeads))}).");
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

    private static Shape ShapeOf(ModelArchitecture m)
    {
        if (ReferenceEquals(m, _lastModel))
            return _lastShape!;
        ArgumentNullException.ThrowIfNull(m);
        var shape = Shapes.GetValue(m, Measure);
        _lastShape = shape;
        _lastModel = m;
        return shape;
    }

    private static Shape Measure(ModelArchitecture a)
    {
        var sliding = a.SlidingWindow is null ? 0 : a.LayerSpans.Count(x => x == AttentionSpan.Sliding);
        return new Shape(
            a.NumLayers - sliding,
            sliding,
            a.SlidingWindow ?? int.MaxValue,
            a.NumKeyValueHeads,
            a.HeadDim,
            a.Mla is { } mla ? mla.KvLoraRank + mla.QkRopeHeadDim : 0,
            a.Id);
    }
}
