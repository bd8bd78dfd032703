namespace Tpd.Bench.Load;

/// <summary>How open-loop arrivals are spaced.</summary>
public enum ArrivalProcess
{
    /// <summary>Exponential gaps (coefficient of variation 1), as vLLM's --request-rate with burstiness 1.</summary>
    Poisson,

    /// <summary>Gamma gaps with a chosen coefficient of variation (vLLM's burstiness = 1 / CV^2).</summary>
    Gamma,

    /// <summary>Equal gaps of 1 / rate.</summary>
    Constant,
}

/// <summary>
/// Precomputed absolute send times (seconds after the start of the measured phase), seeded: the same
/// arguments give the same schedule, and a late request never shifts the ones after it (no coordinated
/// omission). The first request goes at 0; each later one a gap after the previous due time.
/// </summary>
public static class ArrivalSchedule
{
    public static IEnumerable<double> SendTimes(ArrivalProcess process, double rate, int seed, double cv = 1.0)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"the request rate must be a positive number of requests per second, got {rate}");
        if (process == ArrivalProcess.Gamma && !(cv > 0 && double.IsFinite(cv)))
            throw new ArgumentOutOfRangeException(nameof(cv), cv, $"the coefficient of variation of gamma arrivals must be positive, got {cv}; 1 is Poisson, above 1 is burstier");
        return Generate(process, rate, seed, cv);
    }

    private static IEnumerable<double> Generate(ArrivalProcess process, double rate, int seed, double cv)
    {
        var random = new Random(seed);
        var mean = 1 / rate;
        var shape = 1 / (cv * cv);
        double t = 0;
        for (long i = 0; ; i++)
        {
            if (i > 0)
            {
                t += process switch
                {
                    ArrivalProcess.Constant => mean,
                    ArrivalProcess.Poisson => -Math.Log(1 - random.NextDouble()) * mean,
                    _ => Gamma(random, shape) * (mean / shape),
                };
            }

            yield return process == ArrivalProcess.Constant ? i * mean : t;
        }
    }

    /// <summary>
    /// A Gamma(shape, 1) variate by Marsaglia and Tsang (2000), "A simple method for generating gamma
    /// variables", ACM TOMS 26(3); shapes below 1 use their boost Gamma(k + 1) x U^(1/k).
    /// </summary>
    internal static double Gamma(Random random, double shape)
    {
        if (shape < 1)
            return Gamma(random, shape + 1) * Math.Pow(1 - random.NextDouble(), 1 / shape);

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1 - random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
                return d * v;
        }
    }

    private static double Normal(Random random)
    {
        // Box-Muller; 1 - U keeps the logarithm finite.
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
