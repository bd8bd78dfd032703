using Spectre.Console;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Rendering;

/// <summary>Tables shared by the run reports of `simulate` and `bench`, which print the same MEASURE.md metrics.</summary>
internal static class SummaryTables
{
    /// <summary>Mean and percentiles of each latency metric that has samples, with its formula.</summary>
    public static Table Latency(params (string Name, LatencyStats? Stats)[] metrics)
    {
        var t = new Table().Border(TableBorder.Simple).Title("[bold]Latency[/]").LeftAligned();
        foreach (var h in new[] { "metric", "mean", "p50", "p90", "p99", "formula" })
            t.AddColumn(h is "metric" or "formula" ? new TableColumn(h) : new TableColumn(h).RightAligned());
        foreach (var (name, stats) in metrics)
        {
            if (stats is not null)
                t.AddRow(name, Sec(stats.Mean), Sec(stats.P50), Sec(stats.P90), Sec(stats.P99), Markup.Escape(stats.Formula));
        }

        return t;
    }

    /// <summary>A titled table of name, value (right-aligned) and a note.</summary>
    public static Table Values(string title)
    {
        var t = new Table().Border(TableBorder.Simple).Title($"[bold]{Markup.Escape(title)}[/]").LeftAligned();
        t.AddColumn("");
        t.AddColumn(new TableColumn("value").RightAligned());
        t.AddColumn("");
        return t;
    }

    private static string Sec(double seconds) => Fmt.Time(Core.Units.Duration.FromSeconds(seconds));
}
