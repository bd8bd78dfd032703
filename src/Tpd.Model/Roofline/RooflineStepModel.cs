using Tpd.Core.Units;

namespace Tpd.Model.Roofline;

/// <summary>
/// Prices an engine step with the roofline (MODEL.md, "Time per engine step"):
/// a roofline per kernel class (linear layers, attention; see <see cref="StepBreakdown"/>) + all-reduces + fixed overheads.
/// Pure and allocation-free; the profile holds the per-GPU constants.
/// </summary>
public sealed class RooflineStepModel(ModelProfile profile) : IStepCostModel
{
    public ModelProfile Profile { get; } = profile;

    public Duration StepTime(in StepShape shape) => Analyze(shape).Total;

    public StepBreakdown Analyze(in StepShape shape)
    {
        var p = Profile;
        var pp = p.Serving.PipelineParallel;
        double tokens = shape.TotalTokens;

        // Sliding-window layers read at most the window per sequence; apply the cap to their share of layers.
        var decodeContext = CapContext(p, shape.DecodeContextTokens, shape.DecodeSequences);
        var cached = CapContext(p, shape.PrefillCachedTokens, shape.PrefillSequences);
        var attended = CapContext(p, shape.PrefillAttendedTokens, Math.Max(shape.PrefillTokens, 1));

        // Per GPU, summed over the pipeline stages a step walks through.
        var linearFlops = pp * p.MatmulFlopsPerToken * tokens;
        var attentionFlops = pp * p.AttentionFlopsPerPair * (attended + decodeContext);
        var weightBytes = pp * WeightBytesRead(p, tokens);
        var kvBytes = pp * p.KvBytesPerTokenPerGpu * (decodeContext + cached + tokens);

        var comm = p.AllReducesPerStep == 0 || tokens == 0
            ? 0
            : p.AllReducesPerStep * (p.Efficiency.AllReduceLatency.Seconds + tokens * p.AllReduceBytesPerToken * p.AllReduceSecondsPerByte);
        var overhead = tokens == 0
            ? 0
            : p.Efficiency.StepOverhead.Seconds + p.Efficiency.PerSequenceOverhead.Seconds * (shape.DecodeSequences + shape.PrefillSequences);

        return new StepBreakdown(
            FlopCount.FromFlops(linearFlops),
            FlopCount.FromFlops(attentionFlops),
            DataSize.FromBytes(weightBytes),
            DataSize.FromBytes(kvBytes),
            Duration.FromSeconds(linearFlops / p.EffectiveFlopRate),
            Duration.FromSeconds(weightBytes / p.EffectiveBandwidth),
            Duration.FromSeconds(attentionFlops / p.EffectiveFlopRate),
            Duration.FromSeconds(kvBytes / p.EffectiveBandwidth),
            Duration.FromSeconds(comm),
            Duration.FromSeconds(overhead));
    }

    /// <summary>
    /// Weights streamed from HBM in one step: every non-expert weight once, plus the routed experts that at
    /// least one of the step's tokens picks. With uniform routing a layer touches E x (1 - (1 - k/E)^T) of its
    /// E experts for T tokens (MODEL.md).
    /// </summary>
    private static double WeightBytesRead(ModelProfile p, double tokens)
    {
        if (tokens <= 0)
            return 0;
        if (p.MoeLayers == 0)
            return p.NonExpertReadPerGpu;
        var touched = p.Experts * (1 - Math.Exp(tokens * p.LogMissProbability));
        return p.NonExpertReadPerGpu + p.MoeLayers * touched * p.ExpertBytesPerGpu;
    }

    private static double CapContext(ModelProfile p, double total, double count)
    {
        if (p.SlidingShare == 0 || count <= 0)
            return total;
        var capped = Math.Min(total, count * (double)p.Window);
        return (1 - p.SlidingShare) * total + p.SlidingShare * capped;
    }
}
