namespace Tpd.Twin.Text;

/// <summary>
/// How long an answer runs when the client does not force the length (no ignore_eos): a log-normal draw with a
/// median of 180 tokens and sigma 0.9 (mean about 270), close to the output lengths of ShareGPT conversations that
/// vLLM's benchmarks replay (a judgment call; the shape matters more than the figures), seeded by the request.
/// </summary>
public static class NaturalLength
{
    public const double MedianTokens = 180;
    public const double Sigma = 0.9;

    public static int Draw(long seed, long request)
    {
        // Box-Muller on two independent uniforms.
        var u1 = Math.Max(Mix.Uniform(seed, request, 101), 1e-12);
        var u2 = Mix.Uniform(seed, request, 102);
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (int)Math.Clamp(Math.Round(MedianTokens * Math.Exp(Sigma * z)), 1, 100_000);
    }
}
