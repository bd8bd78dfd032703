using Spectre.Console;
using Tpd.Telemetry.Doctor;

namespace Tpd.Cli.Rendering;

/// <summary>The findings table of `tpd doctor`, worst first, with the cost each one adds per token.</summary>
internal static class DoctorReportView
{
    public static void Write(IAnsiConsole console, DoctorReport report, DoctorInput input, LiveEconomics? economics)
    {
        var gpus = input.Latest;
        console.MarkupLine($"[bold]tpd doctor[/]: {gpus.Count} GPU(s){(gpus.Count > 0 ? ": " + Markup.Escape(string.Join(", ", gpus.Select(g => g.Name).Distinct())) : "")}" +
            (input.Engine is { } e ? $"; engine {e.Engine} over {Fmt.Time(e.Window)}" : ""));
        if (economics is { } live)
        {
            console.MarkupLine($"Live: {Fmt.Rate(live.Rate.TokensPerSecond)} tokens/s at {Fmt.Dollars(live.Price.DollarsPerHour)}/hour = " +
                $"{Fmt.Num(live.TokensPerDollar, "N0")} tokens per dollar, {Fmt.Dollars(live.DollarsPerMillionTokens)} per 1M tokens");
        }

        if (report.Findings.Count == 0)
        {
            console.MarkupLine("No findings: nothing here costs throughput that tpd can see.");
            return;
        }

        foreach (var f in report.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal))
        {
            var colour = f.Severity switch { Severity.Error => "red", Severity.Warning => "yellow", _ => "grey" };
            console.MarkupLine($"[{colour} bold]{f.Severity.ToString().ToUpperInvariant(),-7}[/] [bold]{Markup.Escape(f.Id)}[/] [[{Markup.Escape(f.Subject)}]]");
            console.MarkupLine($"        {Markup.Escape(f.Title)}");
            console.MarkupLine($"        evidence: {Markup.Escape(string.Join("; ", f.Evidence.Select(ev => $"{ev.Name} {ev.Value}")))}");
            if (f.AddedCostPerToken is { } c && f.Slowdown is { } slow)
                console.MarkupLine($"        cost: {slow:P0} slower, so {c:P0} more per token");
            console.MarkupLine($"        fix: {Markup.Escape(f.Fix)}");
            if (f.Note is { } note)
                console.MarkupLine($"        note: {Markup.Escape(note)}");
            console.WriteLine();
        }

        console.MarkupLine($"Exit code {report.ExitCode} (0 clean, 1 warnings, 2 errors). Rules, thresholds and sources: docs/doctor.md.");
    }
}
