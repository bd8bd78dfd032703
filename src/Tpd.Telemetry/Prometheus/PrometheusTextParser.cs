using System.Globalization;
using System.Text;

namespace Tpd.Telemetry.Prometheus;

/// <summary>
/// Parses the Prometheus text exposition format 0.0.4 (and the OpenMetrics subset servers emit): # HELP and
/// # TYPE lines, samples with escaped label values (\\, \", \n), +Inf/-Inf/NaN, optional timestamps, CRLF or
/// LF, a missing final newline and a trailing # EOF. Samples attach to the family whose # TYPE named them,
/// suffixes included (_bucket, _sum, _count, _created, _total); prometheus_client's separate "X_created"
/// gauge families stay families of their own, so they never leak into counter sums.
/// Reference: https://prometheus.io/docs/instrumenting/exposition_formats/. Bounded by
/// <see cref="MetricsLimits"/> (page size, samples, labels per sample); a label name given twice is an error,
/// as Prometheus makes it.
/// </summary>
public static class PrometheusTextParser
{
    private static readonly string[] FamilySuffixes = ["_bucket", "_sum", "_count", "_created", "_total", "_gsum", "_gcount", "_info"];

    public static MetricsScrape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MetricsLimits.MaxChars)
            throw new PrometheusFormatException($"the /metrics page holds {text.Length:N0} characters or more, more than the {MetricsLimits.MaxChars:N0} read; a serving engine's page is tens of KB: check the URL");
        var samples = 0;
        var families = new List<Builder>();
        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0)
                continue;
            if (line[0] == '#')
            {
                ParseComment(line, lineNumber, families, byName);
                continue;
            }

            if (++samples > MetricsLimits.MaxSamples)
                throw Error(lineNumber, line, $"more than {MetricsLimits.MaxSamples:N0} samples; a serving engine exports a few thousand: check the URL");
            var sample = ParseSample(line, lineNumber);
            var family = FamilyFor(sample.Name, byName);
            if (family is null)
            {
                family = new Builder(sample.Name, MetricType.Untyped);
                families.Add(family);
                byName[sample.Name] = family;
            }

            family.Samples.Add(sample);
        }

        return new MetricsScrape(families.Select(f => new MetricFamily(f.Name, f.Type, f.Help, f.Samples)).ToList());
    }

    private static Builder? FamilyFor(string sampleName, Dictionary<string, Builder> byName)
    {
        if (byName.TryGetValue(sampleName, out var exact))
            return exact;
        foreach (var suffix in FamilySuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && byName.TryGetValue(sampleName[..^suffix.Length], out var f)
                && f.Type != MetricType.Untyped)
            {
                return f;
            }
        }

        return null;
    }

    private static void ParseComment(string line, int lineNumber, List<Builder> families, Dictionary<string, Builder> byName)
    {
        // "# HELP name text", "# TYPE name type"; any other comment (including "# EOF") is ignored.
        var parts = line[1..].TrimStart().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] is not ("HELP" or "TYPE"))
            return;
        var name = parts[1];
        if (!IsMetricName(name))
            throw Error(lineNumber, line, $"'{Brief(name)}' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        if (!byName.TryGetValue(name, out var family))
        {
            family = new Builder(name, MetricType.Untyped);
            families.Add(family);
            byName[name] = family;
        }

        if (parts[0] == "HELP")
        {
            family.Help = parts.Length > 2 ? UnescapeHelp(parts[2]) : "";
            return;
        }

        var type = parts.Length > 2 ? parts[2].Trim() : "";
        family.Type = type switch
        {
            "counter" => MetricType.Counter,
            "gauge" => MetricType.Gauge,
            "histogram" => MetricType.Histogram,
            "summary" => MetricType.Summary,
            "untyped" or "unknown" => MetricType.Untyped,
            "info" => MetricType.Info,
            "stateset" => MetricType.StateSet,
            "gaugehistogram" => MetricType.GaugeHistogram,
            _ => throw Error(lineNumber, line, $"unknown metric type '{Brief(type)}'; expected counter, gauge, histogram, summary or untyped"),
        };
    }

    private static MetricSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], i == 0))
            i++;
        if (i == 0)
            throw Error(lineNumber, line, "a sample must start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        var name = line[..i];
        var labels = new List<KeyValuePair<string, string>>();
        if (i < line.Length && line[i] == '{')
            i = ParseLabels(line, i + 1, lineNumber, labels);
        var rest = line[i..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
            throw Error(lineNumber, line, "expected a value (and an optional timestamp) after the metric name and labels");
        var value = ParseValue(rest[0]) ?? throw Error(lineNumber, line, $"'{Brief(rest[0])}' is not a number (expected a float such as 0.5 or 1e3, or +Inf or -Inf)");
        long? timestamp = null;
        if (rest.Length == 2)
        {
            // Beyond 1e15 ms (year 33658) a timestamp cannot be meant, and would not fit a long exactly.
            if (!double.TryParse(rest[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ts) || !double.IsFinite(ts) || Math.Abs(ts) > 1e15)
                throw Error(lineNumber, line, $"'{Brief(rest[1])}' is not a timestamp (milliseconds since the epoch)");
            timestamp = (long)ts;
        }

        return new MetricSample(name, labels, value, timestamp);
    }

    private static int ParseLabels(string line, int i, int lineNumber, List<KeyValuePair<string, string>> labels)
    {
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t' or ',')
                i++;
            if (i >= line.Length)
                throw Error(lineNumber, line, "labels are not closed with '}'");
            if (line[i] == '}')
                return i + 1;
            var start = i;
            while (i < line.Length && IsLabelChar(line[i], i == start))
                i++;
            if (i == start)
                throw Error(lineNumber, line, $"expected a label name or '}}' at column {i + 1}");
            var key = line[start..i];
            while (i < line.Length && line[i] == ' ')
                i++;
            if (i >= line.Length || line[i] != '=')
                throw Error(lineNumber, line, $"expected '=' after label '{Brief(key)}'");
            i++;
            while (i < line.Length && line[i] == ' ')
                i++;
            if (i >= line.Length || line[i] != '"')
                throw Error(lineNumber, line, $"label '{Brief(key)}' needs a double-quoted value");
            i++;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length)
                    throw Error(lineNumber, line, $"the value of label '{Brief(key)}' is not closed with '\"'");
                var c = line[i++];
                if (c == '"')
                    break;
                if (c == '\\' && i < line.Length)
                {
                    // Only \\, \" and \n are escapes; any other backslash is kept as written.
                    var e = line[i++];
                    _ = e switch
                    {
                        'n' => value.Append('\n'),
                        '\\' or '"' => value.Append(e),
                        _ => value.Append('\\').Append(e),
                    };
                    continue;
                }

                value.Append(c);
            }

            if (labels.Count == MetricsLimits.MaxLabels)
                throw Error(lineNumber, line, $"more than {MetricsLimits.MaxLabels} labels on one sample");
            if (labels.Any(l => l.Key == key))
                throw Error(lineNumber, line, $"label '{Brief(key)}' appears twice");
            labels.Add(new(key, value.ToString()));
        }
    }

    /// <summary>A sample value: Go's float syntax plus +Inf, -Inf and NaN. Null when it is not a number.</summary>
    public static double? ParseValue(string text) => text switch
    {
        "+Inf" or "Inf" or "+inf" or "inf" => double.PositiveInfinity,
        "-Inf" or "-inf" => double.NegativeInfinity,
        "NaN" or "nan" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
    };

    private static string UnescapeHelp(string help) =>
        help.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static bool IsMetricName(string name) =>
        name.Length > 0 && name.Select((c, i) => IsNameChar(c, i == 0)).All(ok => ok);

    private static bool IsNameChar(char c, bool first) =>
        char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    private static bool IsLabelChar(char c, bool first) =>
        char.IsAsciiLetter(c) || c == '_' || (!first && char.IsAsciiDigit(c));

    private static string Brief(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static PrometheusFormatException Error(int lineNumber, string line, string what) =>
        new($"line {lineNumber} of the /metrics text: {what}: '{(line.Length > 120 ? line[..120] + "..." : line)}'");

    private sealed class Builder(string name, MetricType type)
    {
        public string Name { get; } = name;
        public MetricType Type { get; set; } = type;
        public string? Help { get; set; }
        public List<MetricSample> Samples { get; } = [];
    }
}
