using System.Text.Json;
using Tpd.TestKit;

namespace Tpd.Cli.Tests.Commands;

public class SimulateCommandTests
{
    private static readonly string[] Small = ["simulate", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--preset", "rag", "--rate", "3", "--duration", "60", "--json"];

    [Fact]
    public void The_terminal_report_matches_its_golden_file()
    {
        var (code, stdout, _) = CliRunner.Run([.. Small[..^1], "--seed", "7"]);
        code.ShouldBe(0);
        Golden.Match("simulate-rag.txt", stdout);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var (code, a, err) = CliRunner.Run([.. Small, "--seed", "7"]);
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        var (_, b, _) = CliRunner.Run([.. Small, "--seed", "7"]);
        a.ShouldBe(b);
        var (_, c, _) = CliRunner.Run([.. Small, "--seed", "8"]);
        c.ShouldNotBe(a);
    }

    [Fact]
    public void Records_are_written_one_json_line_per_request()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tpd-sim-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (code, stdout, _) = CliRunner.Run([.. Small, "--records", path]);
            code.ShouldBe(0);
            using var doc = JsonDocument.Parse(stdout);
            var submitted = doc.RootElement.GetProperty("submitted").GetInt64();
            submitted.ShouldBeGreaterThan(100);
            File.ReadAllLines(path).Length.ShouldBe((int)submitted);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void At_low_load_ttft_and_tpot_match_estimates_single_request_figures()
    {
        // One rag request every 10 s on average: almost never two at once.
        var (_, sim, _) = CliRunner.Run("simulate", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--preset", "rag", "--rate", "0.1", "--duration", "600", "--json");
        using var doc = JsonDocument.Parse(sim);
        double Figure(string name) => doc.RootElement.GetProperty("figures").EnumerateArray().First(f => f.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();
        var (_, est, _) = CliRunner.Run("estimate", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--json");
        using var e = JsonDocument.Parse(est);
        var batch1Tpot = e.RootElement.GetProperty("single_request_tpot_seconds").GetDouble();
        // TPOT at batch 1 grows only with context (KV reads); within 10% of estimate's 1,024-token figure.
        (Figure("tpot_p50_seconds") / batch1Tpot).ShouldBeInRange(0.9, 1.1);
    }

    [Fact]
    public void Bad_options_are_all_reported()
    {
        var (code, _, stderr) = CliRunner.Run("simulate", "--preset", "chatty", "--rate", "-1", "--routing", "random", "--slo", "ttft<=soon");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --preset 'chatty' is not a workload preset; use one of chat, rag, batch, agentic");
        stderr.ShouldContain("error: --rate '-1' is not a number");
        stderr.ShouldContain("error: --routing 'random' is not a routing policy");
        stderr.ShouldContain("error: --slo 'ttft<=soon'");
    }

    [Fact]
    public void A_model_that_does_not_fit_is_refused_with_the_shortfall_and_what_would_fit()
    {
        var (code, stdout, stderr) = CliRunner.Run("simulate", "--model", "llama-3.1-70b", "--gpu", "h100-sxm");

        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.ShouldBe(
            "error: Llama-3.1-70B on 1 x h100-sxm does not fit: weights (141.1 GB), activations (2.2 GB) and runtime reserve (1.6 GB) per GPU " +
            "exceed the 77 GB budget (85.5 GB x 0.9) by 67.9 GB; fits with --tp 2 (2 GPUs per replica); " +
            "fits at --tp 1 with --weights fp8 or --weights nvfp4 or --weights int4-g128" + Environment.NewLine);
    }
}
