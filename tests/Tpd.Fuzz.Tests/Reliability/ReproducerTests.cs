using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tpd.TestKit;

namespace Tpd.Fuzz.Tests.Reliability;

/// <summary>
/// Every reproducer of tests/fixtures/reliability (found by fuzzing, 2026-12; see PROVENANCE.md there) through
/// the command that broke, with what it must do now: a clear error with exit 2, a working merge, or a finding.
/// </summary>
public class ReproducerTests
{
    /// <summary>No stack trace, no .NET exception name: the test every reproducer shares.</summary>
    private static void NoCrash(string output)
    {
        output.ShouldNotContain("Unhandled exception");
        output.ShouldNotContain("   at ");
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file and runs the CLI with <paramref name="args"/> and the file's path last.</summary>
    private static (int Code, string Out, string Err, TimeSpan Elapsed) OnFile(string text, params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tpd-reliability-{Guid.NewGuid():N}");
        File.WriteAllText(path, text);
        try
        {
            return Cli.Run([.. args, path]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("config-gptq-bits-string.json", "'quantization_config.bits' must be an integer of at least 1, got \"4\"")]
    [InlineData("config-mlp-only-layers-strings.json", "'mlp_only_layers' holds \"a\", not a layer index below 48")]
    [InlineData("config-gptq-group-size-zero.json", "'quantization_config.group_size' is 0; give the values per scale (e.g. 128), or -1 for one scale per output channel")]
    public void A_bad_config_json_is_a_clear_error_with_exit_2(string file, string problem)
    {
        var (code, stdout, stderr, _) = Cli.Run("estimate", "--model", Fixtures.PathOf($"reliability/{file}"), "--gpu", "h100");

        NoCrash(stdout + stderr);
        code.ShouldBe(2);
        stderr.ShouldContain(problem);
    }

    [Fact]
    public void A_catalog_bandwidth_of_1e300_is_refused_at_load_with_exit_2()
    {
        var (code, stdout, stderr, _) = Cli.Run("estimate", "--catalog", Fixtures.PathOf("reliability/catalog-bandwidth-1e300.json"), "--gpu", "my-gpu");

        NoCrash(stdout + stderr);
        code.ShouldBe(2);
        stderr.ShouldContain("$.gpus[2].memory_bandwidth_gb_per_s: 1E+300 is out of range; give a positive number of GB/s of memory bandwidth, from 1 to 1000000");
    }

    [Fact]
    public void A_merge_key_works_and_the_fixture_is_refused_only_for_its_unknown_anchor_key()
    {
        var fixture = Fixtures.Read("reliability/gateway-yaml-merge-key.yaml");
        var (code, stdout, stderr, _) = Cli.Run("gateway", "--check", "--config", Fixtures.PathOf("reliability/gateway-yaml-merge-key.yaml"));

        NoCrash(stdout + stderr);
        code.ShouldBe(2);
        stderr.Trim().ShouldEndWith("w: unknown key 'w'; known keys here: drain, health, limits, listen, pool, routing, scaling, security, workers");
        stderr.Trim().Split('\n').Length.ShouldBe(1);

        var merged = OnFile(fixture.Replace("w: &w", "x-w: &w", StringComparison.Ordinal), "gateway", "--check", "--config");
        merged.Code.ShouldBe(0, merged.Err);
        // b has everything of a but its name: merged, and written out by --check.
        merged.Out.ShouldContain("  a       http://127.0.0.1:1/    1.00       1            256");
        merged.Out.ShouldContain("  b       http://127.0.0.1:1/    1.00       1            256");
    }

    [Fact]
    public void The_alias_bomb_is_refused_in_milliseconds()
    {
        var (code, stdout, stderr, elapsed) = Cli.Run("gateway", "--check", "--config", Fixtures.PathOf("reliability/gateway-yaml-alias-bomb.yaml"));

        NoCrash(stdout + stderr);
        code.ShouldBe(2);
        stderr.ShouldContain("line 6: more than 100,000 values once aliases are expanded");
        // Not a benchmark: the bomb took 166 s and 22.7 GB before; a bound no expansion can meet.
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Fifty_thousand_open_brackets_are_a_depth_error_not_a_stack_overflow()
    {
        var (code, _, err, _) = OnFile("workers: " + new string('[', 50_000), "gateway", "--check", "--config");

        NoCrash(err);
        code.ShouldBe(2);
        err.ShouldContain("line 1: maps and lists nested more than 50 deep");
    }

    [Fact]
    public void A_non_cidr_allowlist_entry_is_an_error_naming_the_entry()
    {
        var (code, stdout, stderr, _) = Cli.Run("gateway", "--check", "--config", Fixtures.PathOf("reliability/gateway-allow-cidrs-zero.json"));

        NoCrash(stdout + stderr);
        code.ShouldBe(2);
        stderr.Trim().ShouldEndWith("security.allow_cidrs[0] is '0'; use a network such as 10.0.0.0/8, 192.168.1.7 or fd00::/8");
    }

    [Fact]
    public void A_price_in_quotes_is_an_error_naming_the_entry()
    {
        var json = Fixtures.Read("reliability/gateway-allow-cidrs-zero.json").Replace("\"price_per_hour\": 1.29", "\"price_per_hour\": \"5\"", StringComparison.Ordinal).Replace("   0,", "   \"10.0.0.0/8\",", StringComparison.Ordinal);
        var err = OnFile(json, "gateway", "--check", "--config").Err;

        err.Trim().ShouldEndWith("workers[1].price_per_hour is the text '5', not a number; write it without quotes; allowed 0.0001 to 100000; give dollars per hour for the whole worker, e.g. 8 x 2.49 = 19.92");
    }

    [Fact]
    public void A_1e30_temperature_is_a_flagged_reading_not_a_headroom()
    {
        var (code, stdout, stderr, _) = Cli.Run("doctor", "--nvidia-smi-xml", Fixtures.PathOf("reliability/nvidia-smi-temp-1e30.xml"), "--json");

        NoCrash(stdout + stderr);
        code.ShouldBe(1);
        stdout.ShouldNotContain("1000000000000000000000000000000");
        var finding = Findings(stdout).Single(f => f.GetProperty("id").GetString() == "gpu.readings.invalid");
        finding.GetRawText().ShouldContain("temperature.gpu_temp");
    }

    [Fact]
    public void A_negative_power_limit_is_a_flagged_reading_not_a_lowered_limit()
    {
        var (code, stdout, stderr, _) = Cli.Run("doctor", "--nvidia-smi-xml", Fixtures.PathOf("reliability/nvidia-smi-negative-power-limit.xml"), "--json");

        NoCrash(stdout + stderr);
        code.ShouldBe(1);
        var ids = Findings(stdout).Select(f => f.GetProperty("id").GetString()).ToList();
        ids.ShouldContain("gpu.readings.invalid");
        ids.ShouldNotContain("gpu.power.limit-lowered");
    }

    [Fact]
    public void A_hundred_thousand_nested_elements_are_refused_fast()
    {
        var xml = "<?xml version=\"1.0\"?><nvidia_smi_log>" + string.Concat(Enumerable.Repeat("<x>", 100_000)) + string.Concat(Enumerable.Repeat("</x>", 100_000)) + "<gpu></gpu></nvidia_smi_log>";
        var (code, stdout, stderr, elapsed) = OnFile(xml, "doctor", "--json", "--nvidia-smi-xml");
        var output = stdout + stderr;

        NoCrash(output);
        code.ShouldBe(2);
        output.ShouldContain("elements nest more than 32 deep");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_scrape_then_an_empty_scrape_is_a_finding_that_the_metrics_vanished()
    {
        var pages = new[] { Fixtures.Read("reliability/metrics-scrape-1.txt"), Fixtures.Read("reliability/metrics-scrape-2-empty.txt") };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        var served = 0;
        app.MapGet("/metrics", () => pages[Math.Min(Interlocked.Increment(ref served), 2) - 1]);
        await app.StartAsync();
        var url = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/metrics");

        var (code, stdout, stderr, _) = Cli.Run("doctor", "--metrics", url.ToString(), "--window", "0.1", "--nvidia-smi-xml", Fixtures.PathOf("nvidia-smi/telegraf_rtx-3080-v13.xml"), "--json");

        NoCrash(stdout + stderr);
        stderr.ShouldBeEmpty();
        code.ShouldBe(1);
        served.ShouldBe(2);
        var changed = Findings(stdout).Single(f => f.GetProperty("id").GetString() == "engine.metrics-changed");
        changed.GetProperty("title").GetString().ShouldBe("the Vllm metrics vanished between the scrapes: the second page has no serving-engine metrics, so nothing was measured");
    }

    private static List<JsonElement> Findings(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone()).ToList();
    }
}
