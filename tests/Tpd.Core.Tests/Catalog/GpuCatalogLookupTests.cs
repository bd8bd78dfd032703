using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Catalog;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Catalog;

public class GpuCatalogLookupTests
{
    private static readonly GpuCatalog Catalog = GpuCatalog.Default;

    [Theory]
    [InlineData("h100-sxm", "h100-sxm")]
    [InlineData("H100", "h100-sxm")]
    [InlineData("H100_SXM", "h100-sxm")]
    [InlineData("h100 sxm5", "h100-sxm")]
    [InlineData("NVIDIA H100 80GB HBM3", "h100-sxm")]
    [InlineData("NVIDIA H100 PCIe", "h100-pcie")]
    [InlineData("NVIDIA B300 SXM6 AC", "b300")]
    [InlineData("Tesla T4", "t4")]
    [InlineData("v100", "v100-sxm2-32gb")]
    [InlineData("A100-80GB", "a100-80gb-sxm")]
    [InlineData("gaudi3", "gaudi-3")]
    [InlineData("HL-325L", "gaudi-3")]
    [InlineData("AMD Instinct MI300X", "mi300x")]
    [InlineData("RTX6000-Ada", "rtx-6000-ada")]
    public void Get_finds_a_gpu_by_id_or_alias_ignoring_case_and_separators(string name, string id)
    {
        Catalog.Get(name).Id.ShouldBe(id);
    }

    [Fact]
    public void Get_with_a_typo_names_the_nearest_ids_and_the_list_command()
    {
        var ex = Should.Throw<CatalogLookupException>(() => Catalog.Get("h1000"));
        ex.Message.ShouldBe("unknown GPU 'h1000'; did you mean 'h100-sxm', 'h200', 'v100-sxm2-32gb'? see `tpd catalog gpus`");
        ex.Nearest[0].ShouldBe("h100-sxm");
        ex.Kind.ShouldBe("GPU");
        ex.Wanted.ShouldBe("h1000");
    }

    [Fact]
    public void Get_of_an_ambiguous_family_name_asks_which_one()
    {
        // There is no bare "a100" alias on purpose: 40 or 80 GB, SXM or PCIe change the answer.
        var ex = Should.Throw<CatalogLookupException>(() => Catalog.Get("a100"));
        ex.Nearest.Count.ShouldBe(3);
        ex.Nearest.ShouldAllBe(n => n.StartsWith("a100-", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_of_nonsense_points_at_the_list()
    {
        var ex = Should.Throw<CatalogLookupException>(() => Catalog.Get("quantum-toaster-9000"));
        ex.Message.ShouldBe("unknown GPU 'quantum-toaster-9000'; see `tpd catalog gpus` for the catalog");
    }

    [Fact]
    public void Every_name_finds_exactly_its_own_gpu()
    {
        foreach (var gpu in Catalog.All)
        {
            foreach (var name in gpu.Aliases.Prepend(gpu.Id))
                Catalog.Get(name).ShouldBeSameAs(gpu, $"'{name}' should name {gpu.Id}");
        }

        Catalog.Names.Select(NameMatcher.Normalize).ShouldBeUnique();
    }

    [Fact]
    public void Any_casing_and_separators_of_any_name_find_the_same_gpu()
    {
        var names = Catalog.All.SelectMany(g => g.Aliases.Prepend(g.Id).Select(n => (Name: n, g.Id))).ToArray();
        var separators = new[] { "", "-", "_", " ", "." };
        var spelled =
            from pick in Gen.Elements(names)
            from upper in Gen.ArrayOf(Gen.Elements(true, false), pick.Name.Length)
            from seps in Gen.ArrayOf(Gen.Elements(separators), pick.Name.Length)
            select (pick.Id, Typed: string.Concat(pick.Name.Select((c, i) =>
                (upper[i] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)) + (char.IsLetterOrDigit(c) ? seps[i] : "")).ToArray()));

        Prop.ForAll(Arb.From(spelled), x => Catalog.Get(x.Typed).Id == x.Id).Check(PropertyConfig.Default);
    }

    [Fact]
    public void TryGet_reports_absence_without_throwing()
    {
        Catalog.TryGet("h1000", out var missing).ShouldBeFalse();
        missing.ShouldBeNull();
        Catalog.TryGet("l4", out var l4).ShouldBeTrue();
        l4!.Id.ShouldBe("l4");
    }

    [Fact]
    public void Default_is_loaded_once()
    {
        GpuCatalog.Default.ShouldBeSameAs(GpuCatalog.Default);
    }
}
