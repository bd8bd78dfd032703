using Tpd.Core.Catalog;

namespace Tpd.Core.Tests.Catalog;

public class PriceTierResolverTests
{
    [Theory]
    [InlineData(null, "on-demand")]
    [InlineData("", "on-demand")]
    [InlineData("on-demand", "on-demand")]
    [InlineData("On_Demand", "on-demand")]
    [InlineData("ondemand", "on-demand")]
    [InlineData("hyperscaler", "hyperscaler-tco")]
    [InlineData("Neocloud-TCO", "neocloud-tco")]
    [InlineData("rental", "rental-3y")]
    [InlineData("rental_3y", "rental-3y")]
    public void Resolve_accepts_any_spelling_of_a_tier(string? name, string tier)
    {
        PriceTierResolver.Resolve(name).ShouldBe(tier);
    }

    [Fact]
    public void Default_tier_is_on_demand()
    {
        PriceTierResolver.Default.ShouldBe(PriceTier.OnDemand);
        GpuCatalog.Default.Get("h100-sxm").PriceFor().ShouldBe(GpuCatalog.Default.Get("h100-sxm").Prices[PriceTier.OnDemand]);
    }

    [Fact]
    public void Resolve_of_an_unknown_tier_lists_the_tiers()
    {
        var ex = Should.Throw<CatalogLookupException>(() => PriceTierResolver.Resolve("spot"));
        ex.Message.ShouldBe("unknown price tier 'spot'; tiers: on-demand (default), hyperscaler-tco, neocloud-tco, rental-3y; see `tpd catalog prices`");
    }

    [Fact]
    public void Resolve_of_a_misspelt_tier_suggests_the_nearest()
    {
        var ex = Should.Throw<CatalogLookupException>(() => PriceTierResolver.Resolve("on-demnd"));
        ex.Message.ShouldBe("unknown price tier 'on-demnd'; did you mean 'on-demand'? tiers: on-demand (default), hyperscaler-tco, neocloud-tco, rental-3y; see `tpd catalog prices`");
    }

    [Fact]
    public void PriceFor_a_tier_the_gpu_lacks_says_what_it_has_and_how_to_add_one()
    {
        var ex = Should.Throw<CatalogLookupException>(() => GpuCatalog.Default.Get("l4").PriceFor("neocloud"));
        ex.Message.ShouldBe("GPU 'l4' has no 'neocloud-tco' price (it has prices for on-demand); use one of those tiers, give an explicit $/GPU-hour, or add \"prices\": {\"neocloud-tco\": ...} for 'l4' in a catalog override file");
    }

    [Fact]
    public void Every_tier_has_a_description()
    {
        foreach (var tier in PriceTier.All)
            PriceTierResolver.Describe(tier).ShouldNotBe(tier);
        PriceTierResolver.Describe(PriceTier.OnDemand).ShouldContain("(default)");
    }
}
