using Tpd.Core.Units;
using Tpd.Model.Roofline;

namespace Tpd.Simulation.Tests.Support;

/// <summary>
/// A fake roofline: t = perStep + perToken x (prefill tokens + decode sequences) + perContextToken x (KV tokens read by
/// decodes and by prefill chunks). Simple enough that tests can compute expected latencies by hand.
/// </summary>
internal sealed class LinearStepCost(double perStep, double perToken, double perContextToken = 0) : IStepCostModel
{
    public int Calls { get; private set; }

    public Duration StepTime(in StepShape shape)
    {
        Calls++;
        return Duration.FromSeconds(perStep + (perToken * shape.TotalTokens) + (perContextToken * (shape.DecodeContextTokens + shape.PrefillCachedTokens)));
    }

    /// <summary>A decode-only step of one sequence attending to <paramref name="context"/> tokens.</summary>
    public double DecodeOne(double context) => perStep + perToken + (perContextToken * context);

    /// <summary>A prefill-only step of <paramref name="tokens"/> new tokens after <paramref name="cached"/> cached ones.</summary>
    public double PrefillOnly(int tokens, int cached = 0) => perStep + (perToken * tokens) + (perContextToken * cached);
}
