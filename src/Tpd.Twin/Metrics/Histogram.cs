using System.Globalization;
using System.Text;

namespace Tpd.Twin.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds; thread-safe.</summary>
internal sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public string Name { get; } = name;

    public void Observe(double value, int times = 1)
    {
        if (times <= 0 || double.IsNaN(value))
            return;
        var i = 0;
        while (i < bounds.Length && value > bounds[i])
            i++;
        lock (_lock)
        {
            _counts[i] += times;
            _count += times;
            _sum += value * times;
        }
    }

    public void Write(StringBuilder sb, string labels)
    {
        long[] counts;
        double sum;
        long count;
        lock (_lock)
        {
            counts = (long[])_counts.Clone();
            sum = _sum;
            count = _count;
        }

        sb.Append("# HELP ").Append(Name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(Name).Append(" histogram\n");
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += counts[i];
            var le = i < bounds.Length ? PrometheusText.Number(bounds[i]) : "+Inf";
            sb.Append(Name).Append("_bucket{le=\"").Append(le).Append("\",").Append(labels).Append("} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append(".0\n");
        }

        sb.Append(Name).Append("_sum{").Append(labels).Append("} ").Append(PrometheusText.Number(sum)).Append('\n');
        sb.Append(Name).Append("_count{").Append(labels).Append("} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(".0\n");
    }
}

internal static class PrometheusText
{
    /// <summary>Python's repr of a float, as prometheus_client writes it (1.0, 0.25, 2560.0).</summary>
    public static string Number(double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) || s.Contains("Infinity", StringComparison.Ordinal) || s.Contains("NaN", StringComparison.Ordinal) ? s : s + ".0";
    }

    public static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
