using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;

namespace Tpd.Model.Memory;

/// <summary>
/// Bytes of a model's weights in a storage format. The quantized format covers the decoder's linear
/// layers (attention projections, dense MLPs, routed and shared experts), or only the experts for a
/// checkpoint whose scope is <see cref="QuantizedScope.ExpertsOnly"/> (gpt-oss MXFP4). The input
/// embedding, LM head, norms and router stay 16-bit, as AutoAWQ, GPTQ and NVIDIA ModelOpt exports do
/// (lm_head is not quantized by default) and as gpt-oss lists them in modules_to_not_convert.
/// Small biases and norms inside attention go with the projections; they are under 0.1% of any catalog model.
/// </summary>
public static class WeightMemory
{
    private const double SixteenBit = 2.0;

    /// <param name="m">The architecture (for the checkpoint's own quantization).</param>
    /// <param name="c">Its parameter counts (<see cref="ParameterCounter.Count"/>).</param>
    /// <param name="format">
    /// The storage format; null means the checkpoint's own (quantization_config, else bf16). A format equal
    /// to the checkpoint's keeps the checkpoint's scope; any other applies to every decoder linear layer.
    /// </param>
    public static WeightBytes Compute(ModelArchitecture m, ParameterCounts c, WeightFormat? format)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(c);
        var checkpoint = m.Quantization;
        var f = format ?? checkpoint?.Format ?? WeightFormat.Bf16;
        var scope = checkpoint is not null && checkpoint.Format == f ? checkpoint.Scope : QuantizedScope.AllLinear;
        return Calculate(c, f, scope);
    }

    private static WeightBytes Calculate(ParameterCounts c, WeightFormat f, QuantizedScope scope)
    {
        var q = f.BytesPerParameter;
        var expertBytes = q;
        var linearBytes = scope == QuantizedScope.AllLinear ? q : SixteenBit;

        var routed = c.RoutedExperts * expertBytes;
        var nonExpert = (c.Attention * linearBytes)
            + (c.DenseMlp * linearBytes)
            + (c.SharedExperts * expertBytes)
            + ((c.Router + c.Norms + c.LmHead) * SixteenBit);
        var embedding = c.Embedding * SixteenBit;
        var total = routed + nonExpert + embedding;
        return new WeightBytes
        {
            RoutedExperts = DataSize.FromBytes(routed),
            NonExpert = DataSize.FromBytes(nonExpert),
            Embedding = DataSize.FromBytes(embedding),
            PerExpert = DataSize.FromBytes(c.ParamsPerExpert * expertBytes),
            BitsPerParameter = total * 8 / c.Total,
        };
    }
}
