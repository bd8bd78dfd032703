using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Units;

namespace Tpd.Core.Tests.Catalog;

/// <summary>The embedded catalog: complete, sourced, and consistent with the datasheets and the project's dev-set.</summary>
public class GpuCatalogDataTests
{
    private static readonly GpuCatalog Catalog = GpuCatalog.Default;

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var gpu in GpuCatalog.Default.All)
            data.Add(gpu.Id);
        return data;
    }

    [Fact]
    public void Default_holds_every_gpu_the_issue_asks_for()
    {
        string[] wanted =
        [
            "h100-sxm", "h100-pcie", "h100-nvl", "h200", "b200", "gb200", "b300", "a100-40gb-sxm", "a100-80gb-sxm",
            "a100-40gb-pcie", "a100-80gb-pcie", "l40s", "l4", "a10g", "a10", "t4", "v100-sxm2-32gb", "rtx-4090",
            "rtx-5090", "rtx-6000-ada", "mi300x", "mi325x", "mi355x", "gaudi-3",
        ];
        Catalog.All.Select(g => g.Id).ShouldBe(wanted, ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_gpu_has_every_required_figure_and_a_source_for_each(string id)
    {
        var gpu = Catalog.Get(id);
        gpu.Id.ShouldMatch("^[a-z0-9]+(-[a-z0-9]+)*$");
        gpu.Name.ShouldNotBeNullOrWhiteSpace();
        gpu.Vendor.ShouldBeOneOf("NVIDIA", "AMD", "Intel");
        gpu.Architecture.ShouldNotBeNullOrWhiteSpace();
        gpu.LabelMemory.Bytes.ShouldBeGreaterThan(0);
        gpu.UsableMemory.Bytes.ShouldBeGreaterThan(0);
        gpu.MemoryBandwidth.BytesPerSecond.ShouldBeGreaterThan(0);
        gpu.DensePeak.ContainsKey(ComputeType.Bf16).ShouldBeTrue();
        gpu.Tdp.Watts.ShouldBeGreaterThan(0);
        gpu.ScaleUpBandwidth.BytesPerSecond.ShouldBeGreaterThan(0);
        gpu.ScaleUpLink.ShouldNotBeNullOrWhiteSpace();
        gpu.ScaleUpDomain.ShouldBeGreaterThanOrEqualTo(1);
        gpu.Prices.ContainsKey(PriceTier.OnDemand).ShouldBeTrue();
        if (gpu.Vendor == "NVIDIA")
            gpu.ComputeCapability.ShouldNotBeNull().ShouldMatch(@"^\d+\.\d+$");

        var figures = new List<string>
        {
            GpuFields.LabelMemoryGb, GpuFields.UsableMemoryMib, GpuFields.MemoryBandwidthGbPerS, GpuFields.TdpWatts,
            GpuFields.ScaleUpLink, GpuFields.ScaleUpGbPerSPerDirection, GpuFields.ScaleUpDomain,
        };
        figures.AddRange(gpu.DensePeak.Keys.Select(t => GpuFields.PeakKey(t.ToString().ToLowerInvariant())));
        figures.AddRange(gpu.Prices.Keys.Select(GpuFields.PriceKey));
        if (gpu.AllInPower is not null)
            figures.Add(GpuFields.AllInPowerKw);
        if (gpu.ComputeCapability is not null)
            figures.Add(GpuFields.ComputeCapability);

        foreach (var figure in figures)
        {
            gpu.Sources.ContainsKey(figure).ShouldBeTrue($"{id} has no source for {figure}");
            gpu.Sources[figure].Length.ShouldBeGreaterThan(20, $"{id}: source of {figure} is too thin to check");
        }

        gpu.Sources.Keys.ShouldBeSubsetOf(figures, $"{id} has sources for figures it does not carry");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Usable_memory_is_within_ten_percent_of_the_label_so_no_gb_gib_or_mib_slip(string id)
    {
        // Drivers report a little under the raw HBM (H100: 81559 MiB = 85.5 GB for an "80 GB" label), so the
        // ratio sits between 1.0 and 1.08; a value typed in GB or GiB instead of MiB would be off by 1000x.
        var gpu = Catalog.Get(id);
        (gpu.UsableMemory / gpu.LabelMemory).ShouldBeInRange(0.99, 1.08);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Dense_peaks_never_fall_as_precision_drops(string id)
    {
        var peak = Catalog.Get(id).DensePeak;
        if (peak.TryGetValue(ComputeType.Fp8, out var fp8))
            fp8.ShouldBeGreaterThanOrEqualTo(peak[ComputeType.Bf16]);
        if (peak.TryGetValue(ComputeType.Fp4, out var fp4))
            fp4.ShouldBeGreaterThanOrEqualTo(peak[ComputeType.Fp8]);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Fp8_is_twice_bf16_on_hopper_blackwell_and_cdna(string id)
    {
        var gpu = Catalog.Get(id);
        if (!gpu.DensePeak.TryGetValue(ComputeType.Fp8, out var fp8))
        {
            gpu.Architecture.ShouldBeOneOf("Ampere", "Turing", "Volta");
            return;
        }

        var ratio = fp8 / gpu.DensePeak[ComputeType.Bf16];
        switch (gpu.Architecture)
        {
            case "Hopper" or "Blackwell" or "Blackwell Ultra" or "Blackwell (GeForce)" or "CDNA3" or "CDNA4":
                ratio.ShouldBe(2, 0.001);
                break;
            case "Ada Lovelace":
                // Ada datasheets round BF16 and FP8 separately (L40S: 362.05 and 733 TFLOPS dense), so 2x within 3%.
                ratio.ShouldBe(2, 0.06);
                break;
            default:
                // Gaudi 3 runs FP8 at the BF16 rate (Intel white paper: 1,835 TFLOPS both).
                gpu.Architecture.ShouldBe("Gaudi 3");
                ratio.ShouldBe(1);
                break;
        }
    }

    [Fact]
    public void Chips_without_fp8_cores_have_no_fp8_peak()
    {
        var noFp8 = Catalog.All.Where(g => !g.DensePeak.ContainsKey(ComputeType.Fp8)).Select(g => g.Id);
        noFp8.ShouldBe(["a100-40gb-sxm", "a100-80gb-sxm", "a100-40gb-pcie", "a100-80gb-pcie", "a10g", "a10", "t4", "v100-sxm2-32gb"], ignoreOrder: true);
        var fp4 = Catalog.All.Where(g => g.DensePeak.ContainsKey(ComputeType.Fp4)).Select(g => g.Id);
        fp4.ShouldBe(["b200", "gb200", "b300", "rtx-5090", "mi355x"], ignoreOrder: true);
    }

    [Fact]
    public void H100_sxm_figures_match_the_datasheet()
    {
        var h100 = Catalog.Get("h100-sxm");
        h100.DensePeak[ComputeType.Bf16].Teraflops.ShouldBe(989.4, 1e-9);
        h100.DensePeak[ComputeType.Fp8].Teraflops.ShouldBe(1978.9, 1e-9);
        h100.DensePeak[ComputeType.Int8].Teraflops.ShouldBe(1978.9, 1e-9);
        h100.MemoryBandwidth.TBps.ShouldBe(3.35, 1e-12);
        h100.Tdp.Watts.ShouldBe(700);
        h100.UsableMemory.MiB.ShouldBe(81559);
        h100.LabelMemory.GB.ShouldBe(80);
        h100.ScaleUpBandwidth.GBps.ShouldBe(450);
        h100.ScaleUpDomain.ShouldBe(8);
        h100.ComputeCapability.ShouldBe("9.0");
    }

    [Fact]
    public void B200_fp8_machine_balance_is_the_562_of_model_md()
    {
        // MODEL.md: 4.5 PFLOP/s / 8 TB/s = 562 FLOP per byte (the seed's 562:1).
        var b200 = Catalog.Get("b200");
        var balance = b200.DensePeak[ComputeType.Fp8] / b200.MemoryBandwidth;
        balance.ShouldBe(562.5, 1e-9);
    }

    [Fact]
    public void Usable_memory_matches_the_nvidia_smi_fixtures()
    {
        // tests/fixtures/nvidia-smi (influxdata/telegraf test data): FB memory total as the driver reports it.
        Catalog.Get("NVIDIA A100-SXM4-80GB").UsableMemory.ShouldBe(DataSize.FromMiB(FbTotalMiB("telegraf_a100-sxm4-v12.xml")));
        Catalog.Get("NVIDIA A10G").UsableMemory.ShouldBe(DataSize.FromMiB(FbTotalMiB("telegraf_a10g.xml")));
        Catalog.Get("Tesla T4").UsableMemory.ShouldBe(DataSize.FromMiB(FbTotalMiB("telegraf_tesla-t4.xml")));
    }

    private static double FbTotalMiB(string fixture)
    {
        var xml = System.Xml.Linq.XDocument.Parse(TestKit.Fixtures.Read("nvidia-smi/" + fixture));
        // The GPU's own fb_memory_usage, not a MIG instance's (the A100 fixture has MIG on).
        var total = xml.Descendants("gpu").First().Element("fb_memory_usage")!.Element("total")!.Value; // "81920 MiB"
        return double.Parse(total.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    // SemiAnalysis InferenceMAX (2026-04) as quoted in validation/dev-set.md "Cost conventions":
    // hyperscaler / neocloud / 3-year rental $/GPU-hour and all-in kW per GPU.
    [InlineData("h100-sxm", 1.30, 1.69, 1.30, 1.73)]
    [InlineData("h200", 1.41, 1.74, 1.60, 1.73)]
    [InlineData("b200", 1.95, 2.34, 2.90, 2.17)]
    [InlineData("gb200", 2.21, 2.75, 3.30, 2.10)]
    [InlineData("mi300x", 1.12, 1.40, 1.55, 1.79)]
    [InlineData("mi325x", 1.28, 1.59, 1.80, 2.18)]
    [InlineData("mi355x", 1.48, 1.90, 2.10, 2.65)]
    public void Tco_tiers_and_all_in_power_are_the_dev_set_figures(string id, double hyperscaler, double neocloud, double rental, double kw)
    {
        var gpu = Catalog.Get(id);
        gpu.PriceFor(PriceTier.Hyperscaler).DollarsPerHour.ShouldBe(hyperscaler, 1e-9);
        gpu.PriceFor(PriceTier.Neocloud).DollarsPerHour.ShouldBe(neocloud, 1e-9);
        gpu.PriceFor(PriceTier.Rental3Year).DollarsPerHour.ShouldBe(rental, 1e-9);
        gpu.AllInPower.ShouldNotBeNull().Kilowatts.ShouldBe(kw, 1e-9);
    }

    [Fact]
    public void Only_the_dev_set_gpus_carry_tco_tiers()
    {
        Catalog.All.Where(g => g.Prices.ContainsKey(PriceTier.Neocloud)).Select(g => g.Id)
            .ShouldBe(["h100-sxm", "h200", "b200", "gb200", "mi300x", "mi325x", "mi355x"], ignoreOrder: true);
    }

    [Fact]
    public void On_demand_prices_quoted_by_the_dev_set_hold()
    {
        // dev-set.md: Lambda $3.78 H100 SXM, L4 about $0.80, A100-80GB about $1.6 to $2.5.
        Catalog.Get("h100-sxm").PriceFor().DollarsPerHour.ShouldBe(3.78, 1e-9);
        Catalog.Get("l4").PriceFor().DollarsPerHour.ShouldBe(0.80, 1e-9);
        Catalog.Get("a100-80gb-sxm").PriceFor().DollarsPerHour.ShouldBeInRange(1.6, 2.5);
        Catalog.Get("a100-80gb-pcie").PriceFor().DollarsPerHour.ShouldBeInRange(1.0, 2.5);
    }

    [Fact]
    public void Sources_that_are_estimates_say_so()
    {
        // A figure without a published number is marked ESTIMATE with its reasoning, never passed off as data.
        var estimates = Catalog.All
            .SelectMany(g => g.Sources.Where(s => s.Value.StartsWith("ESTIMATE", StringComparison.Ordinal)).Select(s => $"{g.Id}:{s.Key}"))
            .ToList();
        estimates.ShouldBe(
        [
            "b300:dense_peak_tflops.int8", "a100-40gb-pcie:prices.on-demand", "mi325x:usable_memory_mib",
            "mi355x:usable_memory_mib", "mi355x:prices.on-demand", "gaudi-3:prices.on-demand",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Scale_up_links_are_per_direction_figures()
    {
        // NVLink 4 on H100 SXM is 900 GB/s both ways together; the catalog stores one direction.
        Catalog.Get("h100-sxm").ScaleUpBandwidth.GBps.ShouldBe(450);
        Catalog.Get("b200").ScaleUpBandwidth.GBps.ShouldBe(900);
        Catalog.Get("a100-80gb-sxm").ScaleUpBandwidth.GBps.ShouldBe(300);
        Catalog.Get("h100-pcie").ScaleUpBandwidth.GBps.ShouldBe(64);
        Catalog.Get("l40s").ScaleUpBandwidth.GBps.ShouldBe(32);
        Catalog.Get("gb200").ScaleUpDomain.ShouldBe(72);
    }
}
