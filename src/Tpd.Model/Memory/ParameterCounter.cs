using Tpd.Core.Models;

namespace Tpd.Model.Memory;

/// <summary>
/// Counts the weights of a decoder from its architecture, tensor by tensor as the transformers modelling
/// code creates them. <see cref="ModelShape"/> counts once per model and every profile of it shares the result.
/// </summary>
public static class ParameterCounter
{
    public static ParameterCounts Count(ModelArchitecture m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return Compute(m);
    }

    private static ParameterCounts Compute(ModelArchitecture m)
    {
        double h = m.HiddenSize;
        double embedding = (double)m.VocabSize * h;
        double lmHead = m.TieWordEmbeddings ? 0 : embedding;

        var attentionPerLayer = m.Mla is { } mla ? MlaAttention(m, mla) : GqaAttention(m);

        double denseMlpPerLayer = Mlp(h, m.IntermediateSize, m.GatedMlp, m.MlpBias);
        var moeLayers = 0;
        double perExpert = 0, sharedPerLayer = 0, routerPerLayer = 0;
        if (m.Moe is { } moe)
        {
            for (var i = 0; i < m.NumLayers; i++)
            {
                if (moe.IsMoeLayer(i))
                    moeLayers++;
            }

            perExpert = Mlp(h, moe.ExpertIntermediateSize, m.GatedMlp, m.MlpBias);
            var sharedWidth = moe.SharedExpertIntermediateSize > 0 ? moe.SharedExpertIntermediateSize : moe.ExpertIntermediateSize;
            sharedPerLayer = moe.NumSharedExperts * Mlp(h, sharedWidth, m.GatedMlp, m.MlpBias);
            routerPerLayer = (h * moe.NumExperts)
                + (moe.RouterBias ? moe.NumExperts : 0)
                + (moe.SharedExpertGate ? h : 0);
        }

        var denseLayers = m.NumLayers - moeLayers;
        var normWidth = m.Norm == NormKind.LayerNorm ? 2 * h : h;
        return new ParameterCounts
        {
            Embedding = embedding,
            LmHead = lmHead,
            Attention = attentionPerLayer * m.NumLayers,
            DenseMlp = denseMlpPerLayer * denseLayers,
            RoutedExperts = perExpert * (m.Moe?.NumExperts ?? 0) * moeLayers,
            SharedExperts = sharedPerLayer * moeLayers,
            Router = routerPerLayer * moeLayers,
            // Per-layer norms plus the final norm before the LM head.
            Norms = normWidth * ((m.NormsPerLayer * (double)m.NumLayers) + 1),
            ParamsPerExpert = perExpert,
            MoeLayers = moeLayers,
            ExpertsPerToken = m.Moe?.ExpertsPerToken ?? 0,
        };
    }

    /// <summary>Q, K, V, O projections with their biases, per-head Q/K norms and attention sinks.</summary>
    private static double GqaAttention(ModelArchitecture m)
    {
        double h = m.HiddenSize, q = (double)m.NumAttentionHeads * m.HeadDim, kv = (double)m.NumKeyValueHeads * m.HeadDim;
        var weights = (h * q) + (2 * h * kv) + (q * h);
        var biases = (m.QkvBias ? q + (2 * kv) : 0) + (m.OutputBias ? h : 0);
        var qkNorm = m.QkNorm ? 2.0 * m.HeadDim : 0;
        var sinks = m.AttentionSinks ? m.NumAttentionHeads : 0;
        return weights + biases + qkNorm + sinks;
    }

    /// <summary>
    /// DeepSeek MLA: queries through a low-rank q_a/q_b pair (or one q_proj without q_lora_rank), keys and
    /// values through kv_a_proj_with_mqa to a latent of kv_lora_rank plus a shared RoPE key, expanded by kv_b_proj.
    /// The RMSNorms on the two latents belong to attention.
    /// </summary>
    private static double MlaAttention(ModelArchitecture m, MlaSpec mla)
    {
        double h = m.HiddenSize, heads = m.NumAttentionHeads;
        var qOut = heads * mla.QkHeadDim;
        var q = mla.QLoraRank is int r ? (h * r) + r + (r * qOut) : h * qOut;
        var kvA = h * (mla.KvLoraRank + mla.QkRopeHeadDim);
        var kvB = (double)mla.KvLoraRank * heads * (mla.QkNopeHeadDim + mla.VHeadDim);
        var o = heads * mla.VHeadDim * h;
        return q + kvA + mla.KvLoraRank + kvB + o;
    }

    /// <summary>Gated MLPs have gate, up and down matrices; plain ones up and down.</summary>
    private static double Mlp(double h, double width, bool gated, bool bias) =>
        gated
            ? (3 * h * width) + (bias ? (2 * width) + h : 0)
            : (2 * h * width) + (bias ? width + h : 0);
}
