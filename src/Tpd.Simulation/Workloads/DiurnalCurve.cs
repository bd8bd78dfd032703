namespace Tpd.Simulation.Workloads;

/// <summary>
/// A demand multiplier over the day (mean 1), piecewise constant over equal segments, repeating every 24 h.
/// Arrivals follow it by time change: the process's gaps are measured in "demand time", and a busy hour packs
/// more of them in (exact for Poisson, and keeps the burstiness of gamma gaps).
/// </summary>
public sealed class DiurnalCurve
{
    private const double Day = 86_400;
    private readonly double[] _multipliers;
    private readonly double _segment;

    /// <summary>A curve from multipliers over equal parts of the day, starting at midnight; rescaled to mean 1.</summary>
    public DiurnalCurve(IReadOnlyList<double> multipliers)
    {
        ArgumentNullException.ThrowIfNull(multipliers);
        if (multipliers.Count == 0)
            throw new ArgumentException("a diurnal curve needs at least one multiplier.", nameof(multipliers));
        for (var i = 0; i < multipliers.Count; i++)
        {
            if (!(double.IsFinite(multipliers[i]) && multipliers[i] > 0))
                throw new ArgumentOutOfRangeException(nameof(multipliers), multipliers[i], $"diurnal multiplier {i} is {multipliers[i]}; every multiplier must be positive (use a small value such as 0.05 for a quiet hour).");
        }

        var mean = multipliers.Average();
        _multipliers = multipliers.Select(m => m / mean).ToArray();
        _segment = Day / _multipliers.Length;
    }

    /// <summary>Constant demand.</summary>
    public static DiurnalCurve Flat { get; } = new([1.0]);

    /// <summary>
    /// A cosine day in 96 quarter-hours: m(h) = 1 + a cos(2 pi (h - peakHour) / 24) with a = peakToAverage - 1, so
    /// the peak is <paramref name="peakToAverage"/> times the mean and the trough 2 - peakToAverage.
    /// </summary>
    public static DiurnalCurve Cosine(double peakToAverage, double peakHour = 14)
    {
        if (!(peakToAverage >= 1 && peakToAverage < 2))
            throw new ArgumentOutOfRangeException(nameof(peakToAverage), peakToAverage, $"peak-to-average is {peakToAverage}; a cosine day needs it in [1, 2) (the trough is 2 - peak).");
        var a = peakToAverage - 1;
        var m = new double[96];
        for (var i = 0; i < m.Length; i++)
        {
            var hour = (i + 0.5) / 4;
            m[i] = 1 + (a * Math.Cos(2 * Math.PI * (hour - peakHour) / 24));
        }

        return new DiurnalCurve(m);
    }

    public IReadOnlyList<double> Multipliers => _multipliers;

    public double PeakToAverage => _multipliers.Max();

    /// <summary>The multiplier at time <paramref name="seconds"/>.</summary>
    public double At(double seconds) => _multipliers[Segment(seconds)];

    /// <summary>The instant after <paramref name="from"/> at which <paramref name="demandTime"/> of demand-weighted time has passed.</summary>
    public double Advance(double from, double demandTime)
    {
        if (_multipliers.Length == 1)
            return from + demandTime;
        var t = from;
        var left = demandTime;
        while (true)
        {
            var i = Segment(t);
            var end = (Math.Floor(t / _segment) + 1) * _segment;
            var capacity = (end - t) * _multipliers[i];
            if (left <= capacity)
                return t + (left / _multipliers[i]);
            left -= capacity;
            t = end;
        }
    }

    private int Segment(double seconds) => (int)(seconds % Day / _segment) % _multipliers.Length;
}
