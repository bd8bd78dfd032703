namespace Tpd.Core.Measurement;

/// <summary>
/// Order statistics that match NumPy bit for bit, so tpd's numbers can be compared with vLLM's
/// `bench serve`, SGLang and AIPerf, which all call numpy.percentile and numpy.std.
/// </summary>
public static class Percentiles
{
    /// <summary>
    /// numpy.percentile(samples, p) with the default method "linear" (Hyndman and Fan type 7):
    /// virtual index h = (n - 1) x p / 100, result = lerp(x[floor h], x[floor h + 1], h - floor h), using NumPy's
    /// lerp (a + (b - a) t for t &lt; 0.5, b - (b - a)(1 - t) otherwise).
    /// </summary>
    /// <param name="sorted">Samples sorted ascending (not checked, for speed).</param>
    /// <param name="percentile">0 to 100 inclusive.</param>
    public static double Linear(ReadOnlySpan<double> sorted, double percentile)
    {
        if (sorted.IsEmpty)
            throw new ArgumentException("no samples: a percentile of an empty set is undefined; check Count first", nameof(sorted));
        if (!(percentile >= 0 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, $"percentile must be between 0 and 100, got {percentile}");

        // NumPy divides by 100 first, then multiplies by n - 1; keep the same order for identical rounding.
        var q = percentile / 100.0;
        var virtualIndex = (sorted.Length - 1) * q;
        var previous = Math.Floor(virtualIndex);
        var lo = (int)previous;
        if (lo >= sorted.Length - 1)
            return sorted[^1];

        var gamma = virtualIndex - previous;
        var a = sorted[lo];
        var b = sorted[lo + 1];
        var diff = b - a;
        return gamma >= 0.5 ? b - (diff * (1 - gamma)) : a + (diff * gamma);
    }

    /// <summary>numpy.mean: NumPy's pairwise sum divided by n.</summary>
    public static double Mean(ReadOnlySpan<double> samples) => PairwiseSum(samples) / samples.Length;

    /// <summary>numpy.std with ddof = 0 (population): sqrt(sum((x - mean)^2) / n), summed as NumPy does.</summary>
    public static double PopulationStd(ReadOnlySpan<double> samples)
    {
        var mean = Mean(samples);
        var squares = new double[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            var d = samples[i] - mean;
            squares[i] = d * d;
        }

        return Math.Sqrt(PairwiseSum(squares) / samples.Length);
    }

    /// <summary>
    /// NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum): plain below 8
    /// values, eight interleaved accumulators up to a block of 128, halves (rounded to a multiple of 8) above.
    /// Copying it keeps means and standard deviations identical to NumPy's, not merely close.
    /// </summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        const int BlockSize = 128;
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++)
                res += a[i];
            return res;
        }

        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var j = 0; j < 8; j++)
                    r[j] += a[i + j];
            }

            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
                res += a[i];
            return res;
        }

        var n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }
}
