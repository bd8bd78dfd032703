using System.Globalization;
using System.Text;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Catalog;

/// <summary>
/// docs/catalog.md shows every figure of the embedded catalog and its source. The section between the
/// markers is generated from the catalog; this test fails when the two drift apart. TPD_UPDATE_GOLDEN=1
/// rewrites the section (review the diff before committing).
/// </summary>
public class CatalogDocsTests
{
    private const string Begin = "<!-- generated: gpu-catalog (tests/Tpd.Core.Tests/Catalog/CatalogDocsTests.cs) -->";
    private const string End = "<!-- end generated: gpu-catalog -->";

    [Fact]
    public void Docs_catalog_md_lists_every_figure_and_source_of_the_embedded_catalog()
    {
        var path = Path.Combine(Fixtures.RepoRoot, "docs", "catalog.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"docs/catalog.md lacks the marker {Begin}");
        end.ShouldBeGreaterThan(start, $"docs/catalog.md lacks the marker {End}");

        var generated = Render(GpuCatalog.Default);
        var current = text[(start + Begin.Length)..end];
        if (Environment.GetEnvironmentVariable("TPD_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, text[..(start + Begin.Length)] + generated + text[end..]);
            return;
        }

        current.ShouldBe(generated, "docs/catalog.md is out of date with Catalog/Data/gpus.json; rerun the tests with TPD_UPDATE_GOLDEN=1 and review the diff");
    }

    private static string Render(GpuCatalog catalog)
    {
        var sb = new StringBuilder("\n\n");
        sb.Append("| id | usable MiB (label GB) | memory GB/s | dense TFLOP/s bf16 / fp8 / int8 / fp4 | TDP W | scale-up: link, GB/s each way, domain | $/GPU-h on-demand | $/GPU-h hyperscaler / neocloud / 3y | all-in kW |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|\n");
        foreach (var g in catalog.All)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"| `{g.Id}` | {N(g.UsableMemory.MiB)} ({N(g.LabelMemory.GB)}) | {N(g.MemoryBandwidth.GBps)} | {Peaks(g)} | {N(g.Tdp.Watts)} | {g.ScaleUpLink}, {N(g.ScaleUpBandwidth.GBps)}, {g.ScaleUpDomain} | {Price(g, PriceTier.OnDemand)} | {Price(g, PriceTier.Hyperscaler)} / {Price(g, PriceTier.Neocloud)} / {Price(g, PriceTier.Rental3Year)} | {(g.AllInPower is { } p ? N(p.Kilowatts) : "-")} |\n");
        }

        sb.Append("\n### Sources, GPU by GPU\n");
        foreach (var g in catalog.All)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n#### `{g.Id}`: {g.Name}\n\n");
            sb.Append(CultureInfo.InvariantCulture, $"{g.Vendor} {g.Architecture}");
            if (g.ComputeCapability is not null)
                sb.Append(CultureInfo.InvariantCulture, $", compute capability {g.ComputeCapability}");
            sb.Append(CultureInfo.InvariantCulture, $". Also known as: {string.Join(", ", g.Aliases.Select(a => $"`{a}`"))}.\n\n");
            foreach (var (key, source) in g.Sources)
                sb.Append(CultureInfo.InvariantCulture, $"- `{key}`: {source}\n");
        }

        return sb.Append('\n').ToString();
    }

    private static string Peaks(GpuSpec g) => string.Join(" / ",
        new[] { ComputeType.Bf16, ComputeType.Fp8, ComputeType.Int8, ComputeType.Fp4 }
            .Select(t => g.DensePeak.TryGetValue(t, out var p) ? N(p.Teraflops) : "-"));

    private static string Price(GpuSpec g, string tier) =>
        g.Prices.TryGetValue(tier, out var p) ? p.DollarsPerHour.ToString("0.00##", CultureInfo.InvariantCulture) : "-";

    private static string N(double v) => Math.Round(v, 3).ToString("0.###", CultureInfo.InvariantCulture);
}
