using Tpd.Core.Catalog;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Catalog;

/// <summary>
/// Catalog files with values that parse but cannot be (tests/fixtures/reliability and variants): refused at
/// load with every problem listed, never an overflow to infinity later in a model.
/// </summary>
public class GpuCatalogHostileTests
{
    private const string File = "hostile.json";

    private static CatalogFileException Fails(string json) => Should.Throw<CatalogFileException>(() => GpuCatalog.Default.WithOverrides(json, File));

    [Fact]
    public void A_bandwidth_of_1e300_is_refused_at_load()
    {
        var e = Fails(Fixtures.Read("reliability/catalog-bandwidth-1e300.json"));

        e.Problems.ShouldBe([new CatalogProblem("$.gpus[2].memory_bandwidth_gb_per_s", "1E+300 is out of range", "give a positive number of GB/s of memory bandwidth, from 1 to 1000000")]);
    }

    [Fact]
    public void Huge_memory_price_and_peaks_are_all_listed_at_once()
    {
        var e = Fails("""
            {"gpus":[{"id":"h100-sxm","usable_memory_mib":18446744073709551616,"label_memory_gb":1e12,
              "dense_peak_tflops":{"bf16":1e300},"tdp_watts":1e9,"scale_up_domain":1e6,"all_in_power_kw":5000,
              "scale_up_gb_per_s_per_direction":1e7,"prices":{"on-demand":1e300}}]}
            """);

        e.Problems.Select(p => p.Path).ShouldBe(
        [
            "$.gpus[0].label_memory_gb", "$.gpus[0].usable_memory_mib", "$.gpus[0].tdp_watts",
            "$.gpus[0].scale_up_gb_per_s_per_direction", "$.gpus[0].all_in_power_kw", "$.gpus[0].scale_up_domain",
            "$.gpus[0].dense_peak_tflops.bf16", "$.gpus[0].prices.on-demand",
        ]);
        e.Problems[1].ShouldBe(new CatalogProblem("$.gpus[0].usable_memory_mib", "1.8446744073709552E+19 is out of range", "give a positive number of MiB as nvidia-smi or rocm-smi reports the total, from 100 to 100000000"));
        e.Problems[^1].ShouldBe(new CatalogProblem("$.gpus[0].prices.on-demand", "1E+300 is out of range", "give US dollars per GPU-hour: 0, or from 0.0001 to 10000"));
    }

    [Fact]
    public void A_price_given_as_text_is_listed_with_every_other_problem()
    {
        var e = Fails("""
            {"gpus":[
              {"id":"h100-sxm","prices":{"on-demand":"5","neocloud-tco":-1}},
              {"id":"l4","tdp_watts":"72","name":["L4"],"memory_bandwidth_gb_per_s":0}
            ]}
            """);

        e.Problems.ShouldBe(
        [
            new CatalogProblem("$.gpus[0].prices.on-demand", "not valid JSON for a GPU catalog (line 2, byte 45)", "numbers are bare (80, not \"80\"), text is quoted, prices and peaks are objects; see docs/catalog.md"),
            new CatalogProblem("$.gpus[1].tdp_watts", "is the text \"72\", not a finite number", "numbers are bare (80, not \"80\"), text is quoted, prices and peaks are objects; see docs/catalog.md"),
            new CatalogProblem("$.gpus[1].name", "is a list, not text", "numbers are bare (80, not \"80\"), text is quoted, prices and peaks are objects; see docs/catalog.md"),
            new CatalogProblem("$.gpus[0].prices.neocloud-tco", "-1 is not a price", "give US dollars per GPU-hour, zero or more"),
            new CatalogProblem("$.gpus[1].memory_bandwidth_gb_per_s", "0 is not allowed", "give a positive number of GB/s of memory bandwidth"),
        ]);
    }

    [Fact]
    public void Tiny_positive_figures_that_would_make_a_rate_infinite_are_refused()
    {
        var e = Fails("""{"gpus":[{"id":"l4","tdp_watts":5e-324,"dense_peak_tflops":{"bf16":1e-9},"prices":{"on-demand":1e-300}}]}""");

        e.Problems.Select(p => (p.Path, p.Problem)).ShouldBe(
        [
            ("$.gpus[0].tdp_watts", "5E-324 is out of range"),
            ("$.gpus[0].dense_peak_tflops.bf16", "1E-09 is out of range"),
            ("$.gpus[0].prices.on-demand", "1E-300 is out of range"),
        ]);
    }

    [Fact]
    public void Too_many_gpus_are_refused_before_any_name_is_compared()
    {
        var entries = string.Join(",", Enumerable.Range(0, GpuCatalogLimits.MaxGpus + 1).Select(i => $$"""{"id":"gpu-{{i}}"}"""));

        Fails($$"""{"gpus":[{{entries}}]}""").Problems.ShouldBe([new CatalogProblem("$.gpus", "lists 257 GPUs", "list at most 256: the GPUs you add or change")]);
    }

    [Fact]
    public void Long_names_and_too_many_aliases_are_refused()
    {
        var aliases = string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"a{i}\""));
        var e = Fails($$"""{"gpus":[{"id":"{{new string('x', 200)}}"},{"id":"l4","aliases":[{{aliases}}]},{"id":"h200","aliases":["{{new string('y', 129)}}"]}]}""");

        e.Problems.ShouldBe(
        [
            new CatalogProblem("$.gpus[0].id", "holds 200 characters", "use an id of at most 128 characters, e.g. 'my-gpu'"),
            new CatalogProblem("$.gpus[1].aliases", "lists 33 names", "give at most 32"),
            new CatalogProblem("$.gpus[2].aliases[0]", "holds 129 characters", "use a name of at most 128 characters"),
        ]);
    }

    [Fact]
    public void A_file_over_the_size_limit_and_deep_nesting_are_refused()
    {
        Fails("{\"about\":\"" + new string('x', GpuCatalogLimits.MaxFileChars) + "\",\"gpus\":[]}").Problems.Single().Problem
            .ShouldStartWith("the file holds 4,194,3");
        Fails("{\"gpus\":[{\"id\":\"l4\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}]}").Problems.Single().Problem
            .ShouldBe("not valid JSON (line 1, byte 86): The maximum configured depth of 64 has been exceeded. Cannot read next JSON array");
    }

    [Fact]
    public void A_key_written_twice_and_a_lone_surrogate_are_refused()
    {
        Fails("""{"gpus":[{"id":"l4","prices":{"on-demand":1},"prices":{"on-demand":2}}]}""").Problems.Single().Problem
            .ShouldStartWith("not valid JSON: Duplicate property 'prices'");
        Fails("""{"gpus":[{"id":"l4","name":"\ud800"}]}""").Problems.Single()
            .ShouldBe(new CatalogProblem("$", "not valid text", "line 1 holds the escape '\\ud800', half of a UTF-16 surrogate pair and no character; write the character itself or its full pair"));
    }

    [Fact]
    public void A_flood_of_problems_lists_the_first_hundred_and_counts_the_rest()
    {
        var unknown = string.Join(",", Enumerable.Range(0, 150).Select(i => $"\"u{i}\":1"));
        var e = Fails($$"""{"gpus":[{"id":"l4",{{unknown}}}]}""");

        e.Problems.Count.ShouldBe(150);
        e.Message.Split('\n').Length.ShouldBe(1 + 100 + 1);
        e.Message.ShouldEndWith("\n  ... and 50 more");
    }
}
