using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Catalog;

public class GpuCatalogOverrideTests
{
    private const string File = "my-prices.json";

    private static GpuCatalog Apply(string json) => GpuCatalog.Default.WithOverrides(json, File);

    private static CatalogFileException Fails(string json) => Should.Throw<CatalogFileException>(() => Apply(json));

    [Fact]
    public void WithOverrides_changes_only_the_fields_an_entry_carries()
    {
        var catalog = Apply("""{"gpus":[{"id":"h100-sxm","prices":{"on-demand":2.10}}]}""");

        var h100 = catalog.Get("h100-sxm");
        h100.PriceFor(PriceTier.OnDemand).DollarsPerHour.ShouldBe(2.10, 1e-12);
        h100.PriceFor(PriceTier.Neocloud).DollarsPerHour.ShouldBe(1.69, 1e-12);
        h100.DensePeak[ComputeType.Bf16].ShouldBe(GpuCatalog.Default.Get("h100-sxm").DensePeak[ComputeType.Bf16]);
        h100.Sources[GpuFields.MemoryBandwidthGbPerS].ShouldBe(GpuCatalog.Default.Get("h100-sxm").Sources[GpuFields.MemoryBandwidthGbPerS]);
        catalog.All.Count.ShouldBe(GpuCatalog.Default.All.Count);
    }

    [Fact]
    public void WithOverrides_credits_the_file_for_figures_it_sets_without_a_source()
    {
        var h100 = Apply("""{"gpus":[{"id":"h100-sxm","prices":{"on-demand":2.10}}]}""").Get("h100-sxm");
        h100.Sources["prices.on-demand"].ShouldBe("my-prices.json ($.gpus[0].prices.on-demand)");
    }

    [Fact]
    public void WithOverrides_keeps_a_source_the_file_gives()
    {
        var h100 = Apply("""
            {"gpus":[{"id":"h100-sxm","prices":{"on-demand":2.10},
                      "sources":{"prices.on-demand":"our 2026 contract, quote 42"}}]}
            """).Get("h100-sxm");
        h100.Sources["prices.on-demand"].ShouldBe("our 2026 contract, quote 42");
    }

    [Fact]
    public void WithOverrides_finds_the_gpu_to_override_by_alias()
    {
        var catalog = Apply("""{"gpus":[{"id":"NVIDIA H100 80GB HBM3","tdp_watts":650,"aliases":["our-h100"]}]}""");
        catalog.Get("h100-sxm").Tdp.Watts.ShouldBe(650);
        catalog.Get("our-h100").Id.ShouldBe("h100-sxm");
        catalog.Get("h100").Id.ShouldBe("h100-sxm");
    }

    [Fact]
    public void WithOverrides_adds_a_new_gpu_with_every_figure()
    {
        var catalog = Apply("""
            {
              // comments and trailing commas are fine in a hand-written file
              "gpus": [{
                "id": "rtx-pro-6000", "name": "NVIDIA RTX PRO 6000 Blackwell", "vendor": "NVIDIA",
                "architecture": "Blackwell (GeForce)", "compute_capability": "12.0", "aliases": ["pro6000"],
                "label_memory_gb": 96, "usable_memory_mib": 97887, "memory_bandwidth_gb_per_s": 1792,
                "dense_peak_tflops": {"bf16": 503.8, "fp8": 1007.6, "fp4": 2015.2},
                "tdp_watts": 600, "scale_up_link": "PCIe Gen5 x16", "scale_up_gb_per_s_per_direction": 64,
                "scale_up_domain": 8, "prices": {"on-demand": 1.80},
              }],
            }
            """);

        var gpu = catalog.Get("pro6000");
        gpu.Id.ShouldBe("rtx-pro-6000");
        gpu.UsableMemory.MiB.ShouldBe(97887);
        gpu.DensePeak[ComputeType.Fp4].Teraflops.ShouldBe(2015.2, 1e-9);
        gpu.ScaleUpDomain.ShouldBe(8);
        gpu.AllInPower.ShouldBeNull();
        gpu.Sources[GpuFields.TdpWatts].ShouldBe("my-prices.json ($.gpus[0].tdp_watts)");
        catalog.All[^1].ShouldBeSameAs(gpu);
        catalog.All.Count.ShouldBe(GpuCatalog.Default.All.Count + 1);
    }

    [Fact]
    public void WithOverrides_leaves_the_catalog_it_started_from_untouched()
    {
        var before = GpuCatalog.Default.Get("l4").PriceFor().DollarsPerHour;
        Apply("""{"gpus":[{"id":"l4","prices":{"on-demand":0.01}}]}""").Get("l4").PriceFor().DollarsPerHour.ShouldBe(0.01);
        GpuCatalog.Default.Get("l4").PriceFor().DollarsPerHour.ShouldBe(before);
    }

    [Fact]
    public void WithOverrides_can_be_stacked()
    {
        var once = Apply("""{"gpus":[{"id":"l4","prices":{"on-demand":0.70}}]}""");
        var twice = once.WithOverrides("""{"gpus":[{"id":"l4","prices":{"neocloud-tco":0.40}}]}""", "second.json");
        var l4 = twice.Get("l4");
        l4.PriceFor().DollarsPerHour.ShouldBe(0.70, 1e-12);
        l4.PriceFor("neocloud").DollarsPerHour.ShouldBe(0.40, 1e-12);
        l4.Sources["prices.neocloud-tco"].ShouldBe("second.json ($.gpus[0].prices.neocloud-tco)");
    }

    [Fact]
    public void WithOverrides_reports_every_problem_at_once_with_path_and_fix()
    {
        var ex = Fails("""
            {"gpus":[
              {"id":"h100-sxm","tdp_watt":650,"prices":{"spot":1.2,"on-demand":-3}},
              {"id":"l4","memory_bandwidth_gb_per_s":0,"dense_peak_tflops":{"fp16":120},"scale_up_domain":2.5},
              {"id":"my-gpu","name":"Mine","prices":{"on-demand":1}}
            ]}
            """);

        ex.SourceName.ShouldBe(File);
        ex.Message.ShouldBe("""
            my-prices.json: 16 problems in the GPU catalog file (format: docs/catalog.md):
              $.gpus[0].tdp_watt: unknown field 'tdp_watt'; did you mean 'tdp_watts'? otherwise remove it or use a field listed in docs/catalog.md
              $.gpus[0].prices.spot: unknown price tier 'spot'; use one of on-demand, hyperscaler-tco, neocloud-tco, rental-3y
              $.gpus[0].prices.on-demand: -3 is not a price; give US dollars per GPU-hour, zero or more
              $.gpus[1].memory_bandwidth_gb_per_s: 0 is not allowed; give a positive number of GB/s of memory bandwidth
              $.gpus[1].scale_up_domain: 2.5 is not a GPU count; give a whole number of GPUs of at least 1 (8 for an HGX board, 72 for NVL72, 1 for a lone card)
              $.gpus[1].dense_peak_tflops.fp16: unknown data type 'fp16'; did you mean 'bf16'? otherwise use one of bf16, fp8, int8, fp4 (bf16 is also the FP16 peak)
              $.gpus[2].vendor: missing for new GPU 'my-gpu'; add the vendor, e.g. "NVIDIA"
              $.gpus[2].architecture: missing for new GPU 'my-gpu'; add the architecture, e.g. "Hopper"
              $.gpus[2].label_memory_gb: missing for new GPU 'my-gpu'; add the capacity on the label in GB, e.g. 80
              $.gpus[2].usable_memory_mib: missing for new GPU 'my-gpu'; add the memory total nvidia-smi or rocm-smi reports, in MiB, e.g. 81559
              $.gpus[2].memory_bandwidth_gb_per_s: missing for new GPU 'my-gpu'; add the peak memory bandwidth in GB/s, e.g. 3350
              $.gpus[2].dense_peak_tflops: missing for new GPU 'my-gpu'; add dense peaks in TFLOP/s by data type, at least {"bf16": ...}
              $.gpus[2].tdp_watts: missing for new GPU 'my-gpu'; add the board power in watts, e.g. 700
              $.gpus[2].scale_up_link: missing for new GPU 'my-gpu'; add the GPU-to-GPU link, e.g. "NVLink 4 via NVSwitch" or "PCIe Gen4 x16"
              $.gpus[2].scale_up_gb_per_s_per_direction: missing for new GPU 'my-gpu'; add the GPU-to-GPU bandwidth per direction in GB/s, e.g. 450
              $.gpus[2].scale_up_domain: missing for new GPU 'my-gpu'; add how many GPUs share that link, e.g. 8 (1 for a lone card)
            """.ReplaceLineEndings("\n").TrimEnd());
        ex.Problems.Count.ShouldBe(16);
    }

    [Fact]
    public void WithOverrides_of_a_mistyped_id_says_it_would_add_a_gpu_and_suggests_the_one_meant()
    {
        var ex = Fails("""{"gpus":[{"id":"h100-sxm2","prices":{"on-demand":2.1}}]}""");
        ex.Problems[0].ShouldBe(new CatalogProblem("$.gpus[0].id",
            "no GPU 'h100-sxm2' in the catalog, so this entry adds a new GPU and needs every required field",
            "did you mean 'h100-sxm', 'v100-sxm2-32gb', 'h200'? to override a GPU, use its id or an alias"));
    }

    [Fact]
    public void WithOverrides_rejects_an_alias_another_gpu_already_has()
    {
        var ex = Fails("""{"gpus":[{"id":"h200","aliases":["h100"]}]}""");
        ex.Problems.ShouldBe([new CatalogProblem("$.gpus[0].aliases[0]", "'h100' already names GPU 'h100-sxm'", "remove it or pick a name no other GPU uses")]);
    }

    [Fact]
    public void WithOverrides_rejects_two_entries_for_one_gpu()
    {
        var ex = Fails("""{"gpus":[{"id":"h100-sxm","tdp_watts":600},{"id":"h100","tdp_watts":650}]}""");
        ex.Problems.ShouldBe([new CatalogProblem("$.gpus[1].id", "GPU 'h100-sxm' is already changed by $.gpus[0]", "merge the two entries into one")]);
    }

    [Fact]
    public void WithOverrides_rejects_a_source_for_a_figure_that_does_not_exist()
    {
        var ex = Fails("""{"gpus":[{"id":"l4","sources":{"prices.neocloud-tco":"a quote"}}]}""");
        ex.Problems.Single().Path.ShouldBe("$.gpus[0].sources.prices.neocloud-tco");
        ex.Problems.Single().Problem.ShouldBe("no figure 'prices.neocloud-tco' to attach this source to");
    }

    [Fact]
    public void WithOverrides_rejects_a_bad_new_id_and_a_missing_id()
    {
        var ex = Fails("""
            {"gpus":[
              {"id":"My GPU","name":"x","vendor":"x","architecture":"x","label_memory_gb":1,"usable_memory_mib":1000,
               "memory_bandwidth_gb_per_s":1,"dense_peak_tflops":{"bf16":1},"tdp_watts":1,"scale_up_link":"x",
               "scale_up_gb_per_s_per_direction":1,"scale_up_domain":1},
              {"prices":{"on-demand":1}}
            ]}
            """);
        ex.Problems.ShouldBe(
        [
            new CatalogProblem("$.gpus[0].id", "'My GPU' is not a valid id for a new GPU", "use lower-case letters, digits and single hyphens, e.g. 'my-gpu'"),
            new CatalogProblem("$.gpus[1].id", "missing", "give the id or an alias of the GPU to override, or a new lower-case kebab id to add one"),
        ]);
    }

    [Fact]
    public void WithOverrides_reports_malformed_json_with_its_line()
    {
        var ex = Fails("""
            {"gpus":[
              {"id":"h100-sxm","tdp_watts":"650"}
            ]}
            """);
        ex.Message.ShouldBe("""
            my-prices.json: 1 problem in the GPU catalog file (format: docs/catalog.md):
              $.gpus[0].tdp_watts: not valid JSON for a GPU catalog (line 2, byte 37); numbers are bare (80, not "80"), text is quoted, prices and peaks are objects; see docs/catalog.md
            """.ReplaceLineEndings("\n").TrimEnd());
    }

    [Theory]
    [InlineData("null", "$", "the file holds no catalog")]
    [InlineData("{}", "$.gpus", "missing")]
    [InlineData("""{"gpu":[]}""", "$.gpu", "unknown field 'gpu'")]
    [InlineData("""{"gpus":[null]}""", "$.gpus[0]", "is null")]
    public void WithOverrides_names_what_is_wrong_with_the_document_itself(string json, string path, string problem)
    {
        var first = Fails(json).Problems[0];
        first.Path.ShouldBe(path);
        first.Problem.ShouldBe(problem);
    }

    [Fact]
    public void WithOverrides_refuses_a_number_too_large_to_be_finite()
    {
        var ex = Fails("""{"gpus":[{"id":"l4","tdp_watts":1e400}]}""");
        ex.Problems.Single().Path.ShouldBe("$.gpus[0].tdp_watts");
    }

    [Fact]
    public void A_catalog_that_must_be_sourced_refuses_a_figure_without_a_source()
    {
        // How the embedded file loads: a figure with no source is an error, not a silent gap.
        const string json = """
            {"gpus":[{"id":"x1","name":"X","vendor":"NVIDIA","architecture":"Hopper","label_memory_gb":80,
              "usable_memory_mib":81559,"memory_bandwidth_gb_per_s":3350,"dense_peak_tflops":{"bf16":989.4},
              "tdp_watts":700,"scale_up_link":"NVLink","scale_up_gb_per_s_per_direction":450,"scale_up_domain":8,
              "sources":{"label_memory_gb":"a","usable_memory_mib":"b","memory_bandwidth_gb_per_s":"c",
                "dense_peak_tflops.bf16":"d","tdp_watts":"e","scale_up_link":"f","scale_up_domain":"g"}}]}
            """;
        var ex = Should.Throw<CatalogFileException>(() => GpuCatalog.FromSourcedJson(json, "test.json"));
        ex.Problems.ShouldBe([new CatalogProblem("$.gpus[0].sources", "no source for 'scale_up_gb_per_s_per_direction'", "every figure in the embedded catalog names its source")]);
    }

    [Fact]
    public void WithOverrides_of_an_empty_list_changes_nothing()
    {
        Apply("""{"gpus":[]}""").All.Select(g => g.Id).ShouldBe(GpuCatalog.Default.All.Select(g => g.Id));
    }

    [Fact]
    public void Any_non_negative_price_overrides_and_any_negative_one_is_refused()
    {
        Prop.ForAll(Arb.From(Gen.Choose(-1_000_000, 1_000_000)), cents =>
        {
            var dollars = cents / 100.0;
            var price = dollars.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var json = "{\"gpus\":[{\"id\":\"b200\",\"prices\":{\"rental-3y\":" + price + "}}]}";
            if (dollars < 0)
                return Should.Throw<CatalogFileException>(() => Apply(json)).Problems.Count == 1;
            return Math.Abs(Apply(json).Get("b200").PriceFor("rental-3y").DollarsPerHour - dollars) < 1e-9;
        }).Check(PropertyConfig.Default.WithMaxTest(100)); // each case rebuilds a catalog; 100 keep the suite fast
    }

    [Fact]
    public void An_override_file_in_the_embedded_format_round_trips_the_default_catalog()
    {
        // Re-applying the embedded catalog to itself must change no figure: overrides are idempotent.
        var json = ReadEmbedded();
        var again = GpuCatalog.Default.WithOverrides(json, "gpus.json");
        foreach (var gpu in GpuCatalog.Default.All)
        {
            var same = again.Get(gpu.Id);
            same.UsableMemory.ShouldBe(gpu.UsableMemory);
            same.DensePeak.ShouldBe(gpu.DensePeak);
            same.Prices.ShouldBe(gpu.Prices);
            same.Sources.ShouldBe(gpu.Sources);
        }
    }

    private static string ReadEmbedded()
    {
        using var stream = typeof(GpuCatalog).Assembly.GetManifestResourceStream(GpuCatalog.EmbeddedResourceName)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
