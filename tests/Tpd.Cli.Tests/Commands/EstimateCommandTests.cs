using System.Text.Json;
using Tpd.TestKit;

namespace Tpd.Cli.Tests.Commands;

public class EstimateCommandTests
{
    [Fact]
    public void Estimate_with_no_flags_prints_the_default_report()
    {
        var (code, stdout, stderr) = CliRunner.Run("estimate");
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        Golden.Match("estimate-default.txt", stdout);
    }

    [Fact]
    public void Ideal_mode_prints_the_napkin_seed()
    {
        var (code, stdout, _) = CliRunner.Run("estimate", "--ideal", "--model", "custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9",
            "--gpu", "b200", "--weights", "fp8", "--kv", "fp8", "--context", "200000", "--users", "300", "--price", "4");
        code.ShouldBe(0);
        Golden.Match("estimate-seed-ideal.txt", stdout);
    }

    [Fact]
    public void Json_output_has_snake_case_fields_with_units()
    {
        var (code, stdout, _) = CliRunner.Run("estimate", "--json");
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        foreach (var field in new[]
        {
            "params_total", "params_active", "kv_bytes_per_token", "weight_bytes", "kv_pool_bytes", "max_concurrent_sequences",
            "prefill_seconds", "decode_step_seconds", "ttft_seconds", "tpot_seconds", "output_tokens_per_second", "dollars_per_hour",
            "dollars_per_million_output_tokens", "tokens_per_joule", "users_served", "dollars_per_user_month",
        })
        {
            root.TryGetProperty(field, out var v).ShouldBeTrue($"missing {field}");
            v.ValueKind.ShouldBe(JsonValueKind.Number, field);
            v.GetDouble().ShouldBeGreaterThan(0, field);
        }

        root.GetProperty("bound").GetString().ShouldBeOneOf("compute", "memory", "communication", "overhead");
        root.GetProperty("kv_bytes_per_token").GetDouble().ShouldBe(131_072);
        root.GetProperty("params_total").GetDouble().ShouldBe(8.03e9, 0.01e9);
    }

    [Fact]
    public void Json_of_a_model_that_does_not_fit_has_nulls_and_advice_and_exit_code_1()
    {
        var (code, stdout, _) = CliRunner.Run("estimate", "--model", "llama-3.1-405b", "--json");
        code.ShouldBe(1);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("fits").GetBoolean().ShouldBeFalse();
        doc.RootElement.GetProperty("tpot_seconds").ValueKind.ShouldBe(JsonValueKind.Null);
        doc.RootElement.GetProperty("advice")[0].GetString()!.ShouldStartWith("does not fit: weights (811");
    }

    [Fact]
    public void The_token_budget_takes_vllms_flag_name_and_the_short_one_alike()
    {
        var (code1, vllm, _) = CliRunner.Run("estimate", "--json", "--max-num-batched-tokens", "512");
        var (code2, shortName, _) = CliRunner.Run("estimate", "--json", "--max-batched-tokens", "512");
        var (code3, defaults, _) = CliRunner.Run("estimate", "--json");
        (code1, code2, code3).ShouldBe((0, 0, 0));
        vllm.ShouldBe(shortName);
        vllm.ShouldNotBe(defaults);
        var (bad, _, stderr) = CliRunner.Run("estimate", "--max-num-batched-tokens", "0");
        bad.ShouldBe(2);
        stderr.ShouldContain("--max-num-batched-tokens");
    }

    [Fact]
    public void Json_carries_the_gpus_published_check_and_ideal_mode_has_none()
    {
        var (_, stdout, _) = CliRunner.Run("estimate", "--json", "--gpu", "h100-pcie");
        using var doc = JsonDocument.Parse(stdout);
        var check = doc.RootElement.GetProperty("published_check");
        check.GetProperty("gpu").GetString().ShouldBe("h100-pcie");
        check.GetProperty("measured_output_tokens_per_second_per_gpu").GetDouble().ShouldBe(1_160.2);
        check.GetProperty("outside_tolerance").GetBoolean().ShouldBeTrue();

        var (_, ideal, _) = CliRunner.Run("estimate", "--json", "--ideal");
        using var idealDoc = JsonDocument.Parse(ideal);
        idealDoc.RootElement.GetProperty("published_check").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void A_tier_takes_the_catalogs_spellings_and_a_bad_one_lists_the_tiers()
    {
        var (code1, full, _) = CliRunner.Run("estimate", "--json", "--tier", "neocloud-tco");
        var (code2, shortName, _) = CliRunner.Run("estimate", "--json", "--tier", "Neocloud");
        (code1, code2).ShouldBe((0, 0));
        shortName.ShouldBe(full);
        var (bad, _, stderr) = CliRunner.Run("estimate", "--tier", "spot");
        bad.ShouldBe(2);
        stderr.ShouldContain("'spot'");
        stderr.ShouldContain("on-demand");
    }

    [Fact]
    public void Unknown_names_and_bad_values_are_all_reported_with_fixes()
    {
        var (code, stdout, stderr) = CliRunner.Run("estimate", "--gpu", "h1000", "--model", "llama-3.1-80b", "--tp", "x", "--kv", "fp7", "--duty-cycle", "2", "--gpu-memory", "lots");
        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        Golden.Match("estimate-errors.txt", stderr);
    }

    [Fact]
    public void A_config_json_path_is_read_as_the_model()
    {
        var path = Fixtures.PathOf("configs/Qwen3-32B.json");
        var (code, stdout, stderr) = CliRunner.Run("estimate", "--model", path, "--tp", "2", "--json");
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        // Qwen3-32B: 64 layers x 8 KV heads x head_dim 128 (not hidden/heads = 80) x 2 x 2 bytes.
        doc.RootElement.GetProperty("kv_bytes_per_token").GetDouble().ShouldBe(262_144);
        doc.RootElement.GetProperty("kv_bytes_per_token_per_gpu").GetDouble().ShouldBe(131_072);
    }

    [Fact]
    public void A_config_missing_fields_names_them()
    {
        var dir = Directory.CreateTempSubdirectory("tpd-cli-");
        try
        {
            var path = Path.Combine(dir.FullName, "config.json");
            File.WriteAllText(path, """{"model_type": "llama", "hidden_size": 4096, "vocab_size": 32000}""");
            var (code, _, stderr) = CliRunner.Run("estimate", "--model", path);
            code.ShouldBe(2);
            stderr.ShouldContain("num_hidden_layers");
            stderr.ShouldContain("num_attention_heads");
            var (code2, _, stderr2) = CliRunner.Run("estimate", "--model", Path.Combine(dir.FullName, "missing.json"));
            code2.ShouldBe(2);
            stderr2.ShouldStartWith("error: ");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_catalog_file_overrides_the_price()
    {
        var dir = Directory.CreateTempSubdirectory("tpd-cli-");
        try
        {
            var path = Path.Combine(dir.FullName, "prices.json");
            File.WriteAllText(path, """{"gpus":[{"id":"h100-sxm","prices":{"on-demand":1.5}}]}""");
            var (code, stdout, stderr) = CliRunner.Run("estimate", "--catalog", path, "--json");
            stderr.ShouldBeEmpty();
            code.ShouldBe(0);
            using var doc = JsonDocument.Parse(stdout);
            doc.RootElement.GetProperty("dollars_per_gpu_hour").GetDouble().ShouldBe(1.5, 1e-9);

            File.WriteAllText(path, """{"gpus":[{"id":"h100-sxm","prices":{"on-demand":-1}}]}""");
            var (badCode, _, badErr) = CliRunner.Run("estimate", "--catalog", path);
            badCode.ShouldBe(2);
            badErr.ShouldContain($"--catalog '{path}'");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Owned_hardware_options_need_a_capex()
    {
        var (code, _, stderr) = CliRunner.Run("estimate", "--pue", "1.2");
        code.ShouldBe(2);
        stderr.ShouldBe("error: --pue applies to owned hardware; add --capex DOLLARS_PER_GPU" + Environment.NewLine);
        var (ok, stdout, _) = CliRunner.Run("estimate", "--capex", "30000", "--lifetime-years", "4", "--kwh-price", "0.12", "--pue", "1.3", "--json");
        ok.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        // 30,000 / (4 x 8,760) + 0.7 kW x 1.3 x 0.12 (no all-in power for H100 SXM in the catalog: TDP).
        doc.RootElement.GetProperty("dollars_per_gpu_hour").GetDouble().ShouldBeGreaterThan(30_000 / 35_040.0);
    }
}
