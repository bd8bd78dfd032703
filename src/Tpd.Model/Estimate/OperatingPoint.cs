using Tpd.Core.Units;
using Tpd.Model.Roofline;

namespace Tpd.Model.Estimate;

/// <summary>
/// Performance of one replica at one batch in steady state: the numbers the planner compares, computed
/// without allocation. Times are per replica; rates are for the whole replica.
/// </summary>
public readonly record struct OperatingPoint(
    int Batch,
    long KvLimitedSequences,
    Duration PrefillAlone,
    Duration Ttft,
    Duration Tpot,
    Duration DecodeOnlyStep,
    TokenRate OutputRate,
    TokenRate InputRate,
    StepBreakdown Step)
{
    public TokenRate TotalRate => TokenRate.FromTokensPerSecond(OutputRate.TokensPerSecond + InputRate.TokensPerSecond);

    /// <summary>Tokens per second one user sees while generating: 1 / TPOT.</summary>
    public double PerUserTokensPerSecond => 1 / Tpot.Seconds;

    /// <summary>Share of step time spent on prefill (prices input tokens).</summary>
    public double PrefillShare => Tpot.Seconds > 0 ? Math.Clamp(1 - DecodeOnlyStep.Seconds / Tpot.Seconds, 0, 1) : 0;

    public Duration E2e(int outputTokens) => Ttft + Tpot * Math.Max(0, outputTokens - 1);
}
