using System.Text.Json;
using Tpd.Cli.Rendering;
using Tpd.TestKit;

namespace Tpd.Cli.Tests.Rendering;

/// <summary>Human output, CSV and JSON of `tpd bench` on deterministic results, against golden files (TPD_UPDATE_GOLDEN=1 rewrites them).</summary>
public class BenchRenderingTests
{
    private static string Render(Action<Spectre.Console.IAnsiConsole> write)
    {
        var text = new StringWriter();
        write(Consoles.For(text));
        return text.ToString();
    }

    [Fact]
    public void Single_run_report_matches_the_golden_file()
    {
        var text = Render(c => BenchReport.Write(c, BenchViews.Single(withPrediction: true)));
        Golden.Match("bench-run.txt", text);
        // The honesty checks MEASURE.md asks of every run are there.
        foreach (var check in new[] { "late sends", "achieved send rate", "client CPU", "output lengths", "prefix-cache hits", "errors", "client bottleneck" })
            text.ShouldContain(check);
        text.ShouldContain("http_429 4");
        text.ShouldContain("35/36 exact");
    }

    [Fact]
    public void Sweep_report_matches_the_golden_file_and_names_the_best_point()
    {
        var view = BenchViews.Sweep();
        var text = Render(c => BenchSweepReport.Write(c, view));
        Golden.Match("bench-sweep.txt", text);
        text.ShouldContain("Best operating point: " + view.Sweep.Best.Point!.Label);
    }

    [Fact]
    public void Csv_has_a_header_and_one_invariant_row_per_point()
    {
        var view = BenchViews.Sweep();
        var csv = BenchCsv.Format(BenchCsv.Rows(view));
        Golden.Match("bench-sweep.csv", csv);
        var lines = csv.TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(view.Sweep.Points.Count + 1);
        lines[0].ShouldStartWith("point,kind,load,target_rate_per_second,concurrency,late_share,");
        lines[0].Split(',').ShouldContain("usd_per_million_goodput_tokens");
        lines[0].Split(',').Distinct().Count().ShouldBe(lines[0].Split(',').Length);
        lines[1].ShouldStartWith("synchronous,synchronous,\"closed loop, 1 in flight\",,1,");
    }

    [Fact]
    public void Single_run_csv_is_one_row()
    {
        var csv = BenchCsv.Format(BenchCsv.Rows(BenchViews.Single()));
        Golden.Match("bench-run.csv", csv);
        csv.TrimEnd('\n').Split('\n').Length.ShouldBe(2);
    }

    [Fact]
    public void Json_carries_honesty_errors_by_class_and_predictions()
    {
        var text = new StringWriter();
        BenchJson.Write(text, BenchViews.Single(withPrediction: true));
        using var doc = JsonDocument.Parse(text.ToString());
        var root = doc.RootElement;
        root.GetProperty("errors_by_class").GetProperty("http_429").GetInt32().ShouldBe(4);
        root.GetProperty("honesty").EnumerateArray().Select(h => h.GetProperty("name").GetString()).ShouldContain("client_bottleneck");
        var metrics = root.GetProperty("prediction").GetProperty("metrics").EnumerateArray().ToList();
        metrics.Count.ShouldBe(16);
        metrics[0].GetProperty("metric").GetString().ShouldBe("TTFT p50");
        metrics[0].GetProperty("relative_error").GetDouble().ShouldBe((0.049 - 0.039) / 0.039, 1e-9);
    }

    [Fact]
    public void Sweep_json_has_a_point_per_run_and_the_best()
    {
        var text = new StringWriter();
        BenchJson.Write(text, BenchViews.Sweep());
        using var doc = JsonDocument.Parse(text.ToString());
        var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
        points[0].GetProperty("label").GetString().ShouldBe("synchronous");
        points.Count(p => p.GetProperty("best").GetBoolean()).ShouldBe(1);
        doc.RootElement.GetProperty("best_point").GetString().ShouldBe(points.Single(p => p.GetProperty("best").GetBoolean()).GetProperty("label").GetString());
    }
}
