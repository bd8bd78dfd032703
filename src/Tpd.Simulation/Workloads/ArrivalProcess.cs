using Tpd.Simulation.Randomness;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// Gaps between arrivals of a renewal process at a base rate (per second). A <see cref="DiurnalCurve"/> can stretch
/// and squeeze them over the day.
/// </summary>
public abstract record ArrivalProcess
{
    private protected ArrivalProcess(double ratePerSecond) =>
        RatePerSecond = double.IsFinite(ratePerSecond) && ratePerSecond > 0
            ? ratePerSecond
            : throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, $"arrival rate must be a positive number of requests per second, got {ratePerSecond}.");

    public double RatePerSecond { get; }

    public abstract double NextGap(SimRandom random);

    /// <summary>Exponential gaps: independent arrivals (coefficient of variation 1).</summary>
    public static ArrivalProcess Poisson(double ratePerSecond) => new PoissonArrivals(ratePerSecond);

    /// <summary>
    /// Gamma gaps with coefficient of variation <paramref name="cv"/>: cv &gt; 1 is burstier than Poisson, cv &lt; 1
    /// smoother (shape = 1/cv^2, the parameterization of vLLM's bench serve --burstiness, which is 1/cv^2).
    /// </summary>
    public static ArrivalProcess Gamma(double ratePerSecond, double cv) => new GammaArrivals(ratePerSecond, cv);

    /// <summary>Evenly spaced arrivals.</summary>
    public static ArrivalProcess Constant(double ratePerSecond) => new ConstantArrivals(ratePerSecond);

    private sealed record PoissonArrivals(double Rate) : ArrivalProcess(Rate)
    {
        public override double NextGap(SimRandom random) => random.NextExponential(1 / RatePerSecond);
    }

    private sealed record ConstantArrivals(double Rate) : ArrivalProcess(Rate)
    {
        public override double NextGap(SimRandom random) => 1 / RatePerSecond;
    }

    private sealed record GammaArrivals : ArrivalProcess
    {
        private readonly double _shape;

        public GammaArrivals(double rate, double cv)
            : base(rate)
        {
            if (!(double.IsFinite(cv) && cv > 0))
                throw new ArgumentOutOfRangeException(nameof(cv), cv, $"burstiness (coefficient of variation of gaps) must be positive, got {cv}; 1 is Poisson.");
            Cv = cv;
            _shape = 1 / (cv * cv);
        }

        public double Cv { get; }

        public override double NextGap(SimRandom random) => random.NextGamma(_shape, 1 / (RatePerSecond * _shape));
    }
}
