using System.Globalization;
using System.Text;
using Tpd.Bench.Load;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>One CSV row: labelled columns in order.</summary>
internal sealed record CsvRow(IReadOnlyList<(string Column, string Value)> Cells);

/// <summary>
/// `tpd bench --csv FILE`: a header and one row per run (or per sweep point) with the load, the honesty checks and
/// every summary figure. Numbers in the invariant culture, round-trip precision; a figure a row lacks (no samples, no
/// price) is an empty cell. Columns are the union over rows, in first-seen order.
/// </summary>
internal static class BenchCsv
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<CsvRow> Rows(BenchView v) => [Row("run", "run", v.Settings.Plan, v.Result, v.Summary, null)];

    public static IReadOnlyList<CsvRow> Rows(BenchSweepView v) =>
        [.. v.Sweep.Points.Select(p => Row(p.Label, p.Kind.ToString().ToLowerInvariant(), p.Spec.Plan, p.Result, p.Summary, p.Saturation.OverSaturated))];

    public static string Format(IReadOnlyList<CsvRow> rows)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var (column, _) in row.Cells)
            {
                if (seen.Add(column))
                    columns.Add(column);
            }
        }

        var sb = new StringBuilder();
        sb.Append(string.Join(',', columns)).Append('\n');
        foreach (var row in rows)
        {
            var cells = row.Cells.ToDictionary(c => c.Column, c => c.Value, StringComparer.Ordinal);
            sb.Append(string.Join(',', columns.Select(c => Quote(cells.GetValueOrDefault(c, ""))))).Append('\n');
        }

        return sb.ToString();
    }

    public static void WriteFile(string path, IReadOnlyList<CsvRow> rows) => File.WriteAllText(path, Format(rows));

    private static CsvRow Row(string label, string kind, LoadPlan plan, LoadResult result, RunSummary s, bool? overSaturated)
    {
        var cells = new List<(string, string)>
        {
            ("point", label),
            ("kind", kind),
            ("load", BenchHonesty.DescribeLoad(plan)),
            ("target_rate_per_second", plan.TargetRate is { } t ? N(t) : ""),
            ("concurrency", plan.Concurrency is { } c ? c.ToString(Inv) : ""),
        };
        foreach (var check in BenchHonesty.Checks(result, s))
            cells.Add((check.Name, check.Value is { } v ? N(v) : ""));
        cells.Add(("over_saturated", overSaturated is { } o ? (o ? "1" : "0") : ""));
        // error_rate and output_length_exact_share are both honesty checks and figures: one column each.
        var named = cells.Select(c => c.Item1).ToHashSet(StringComparer.Ordinal);
        foreach (var f in s.Figures())
        {
            if (named.Add(f.Name))
                cells.Add((f.Name, N(f.Value)));
        }

        return new CsvRow(cells);
    }

    private static string N(double v) => v.ToString("R", Inv);

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
