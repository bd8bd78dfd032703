using System.CommandLine;
using Spectre.Console;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;

namespace Tpd.Cli.Commands;

/// <summary>`tpd catalog gpus|models|prices`: what the embedded catalog knows, with sources.</summary>
internal static class CatalogCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IFiles files)
    {
        var catalogFile = new Option<string>("--catalog") { Description = "JSON file that adds GPUs or overrides catalog figures and prices" };
        var command = new Command("catalog", "List the embedded GPUs, models and prices (with their sources).");

        var gpus = new Command("gpus", "GPUs: memory, bandwidth, dense peak FLOP/s per data type, power, scale-up link.") { catalogFile };
        gpus.SetAction(r => WithCatalog(r.GetValue(catalogFile), files, stderr, c => WriteGpus(Consoles.For(stdout), c)));

        var prices = new Command("prices", "Price tiers per GPU-hour: on-demand and TCO tiers.") { catalogFile };
        prices.SetAction(r => WithCatalog(r.GetValue(catalogFile), files, stderr, c => WritePrices(Consoles.For(stdout), c)));

        var models = new Command("models", "Models: layers, attention, KV heads, experts, parameters.");
        models.SetAction(_ =>
        {
            WriteModels(Consoles.For(stdout));
            return 0;
        });

        command.Subcommands.Add(gpus);
        command.Subcommands.Add(models);
        command.Subcommands.Add(prices);
        return command;
    }

    private static int WithCatalog(string? file, IFiles files, TextWriter stderr, Action<GpuCatalog> write)
    {
        var errors = new InputErrors();
        var catalog = CatalogInput.Gpus(file, files, errors);
        if (errors.Any)
            return ErrorOutput.Write(stderr, errors.All);
        write(catalog);
        return 0;
    }

    private static void WriteGpus(IAnsiConsole console, GpuCatalog catalog)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "id", "memory", "bandwidth", "BF16", "FP8", "FP4", "TDP", "scale-up link" })
            t.AddColumn(h);
        foreach (var g in catalog.All)
        {
            string Peak(ComputeType c) => g.DensePeak.TryGetValue(c, out var p) ? Fmt.Num(p.Teraflops, "0") : "-";
            t.AddRow(Markup.Escape(g.Id), $"{Fmt.Num(g.UsableMemory.GiB, "0.#")} GiB", $"{Fmt.Num(g.MemoryBandwidth.TBps, "0.##")} TB/s", Peak(ComputeType.Bf16), Peak(ComputeType.Fp8), Peak(ComputeType.Fp4),
                $"{Fmt.Num(g.Tdp.Watts, "0")} W", Markup.Escape($"{g.ScaleUpLink} {Fmt.Num(g.ScaleUpBandwidth.GBps, "0")} GB/s"));
        }

        console.Write(t);
        console.MarkupLine("Dense tensor-core TFLOP/s (datasheet sparse figures halved). Every figure's source: docs/catalog.md.");
    }

    private static void WritePrices(IAnsiConsole console, GpuCatalog catalog)
    {
        var t = new Table().Border(TableBorder.Simple);
        t.AddColumn("id");
        foreach (var tier in PriceTier.All)
            t.AddColumn(new TableColumn(tier).RightAligned());
        foreach (var g in catalog.All)
            t.AddRow([Markup.Escape(g.Id), .. PriceTier.All.Select(tier => g.Prices.TryGetValue(tier, out var p) ? Fmt.Dollars(p.DollarsPerHour) : "-")]);
        console.Write(t);
        console.MarkupLine("$ per GPU-hour. TCO tiers: SemiAnalysis/InferenceMAX all-in cost (2026-04); on-demand: public list prices.");
    }

    private static void WriteModels(IAnsiConsole console)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "id", "layers", "hidden", "heads / kv", "experts", "attention" })
            t.AddColumn(h);
        foreach (var m in ModelCatalog.Default.All)
        {
            var attention = m.Mla is not null ? "MLA" : m.SlidingLayerCount > 0 ? $"GQA, {m.SlidingLayerCount} sliding ({m.SlidingWindow})" : m.NumKeyValueHeads == m.NumAttentionHeads ? "MHA" : "GQA";
            t.AddRow(Markup.Escape(m.Id), m.NumLayers.ToString(System.Globalization.CultureInfo.InvariantCulture), m.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{m.NumAttentionHeads} / {m.NumKeyValueHeads}", m.Moe is { } e ? $"{e.ExpertsPerToken} of {e.NumExperts}" : "-", attention);
        }

        console.Write(t);
    }
}
