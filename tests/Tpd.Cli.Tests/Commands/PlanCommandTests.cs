using System.Text.Json;
using Tpd.TestKit;

namespace Tpd.Cli.Tests.Commands;

public class PlanCommandTests
{
    private static readonly string[] Small = ["plan", "--gpus", "l40s,h100-sxm", "--tp", "1", "--weights", "fp8", "--kv", "fp8", "--users", "400"];

    [Fact]
    public void A_small_plan_ranks_by_fleet_price_and_explains_the_winner()
    {
        var (code, stdout, _) = CliRunner.Run([.. Small, "--json"]);
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        var ranked = doc.RootElement.GetProperty("ranked").EnumerateArray().ToList();
        ranked.Count.ShouldBe(2);
        ranked[0].GetProperty("dollars_per_hour").GetDouble().ShouldBeLessThanOrEqualTo(ranked[1].GetProperty("dollars_per_hour").GetDouble());
        ranked[0].GetProperty("replicas").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        doc.RootElement.GetProperty("pareto_front").GetArrayLength().ShouldBeGreaterThan(0);
        doc.RootElement.GetProperty("why_winner_wins").GetString()!.ShouldContain(ranked[0].GetProperty("configuration").GetString()!);

        // Both GPUs have an MLPerf run: the L40S, power-limited, comes out optimistic; the H100 SXM within ±20 %.
        var checks = doc.RootElement.GetProperty("published_checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("gpu").GetString()!, c => c.GetProperty("outside_tolerance").GetBoolean());
        checks.ShouldBe(new Dictionary<string, bool> { ["l40s"] = true, ["h100-sxm"] = false }, ignoreOrder: true);
    }

    [Fact]
    public void The_terminal_report_matches_its_golden_file()
    {
        var (code, stdout, _) = CliRunner.Run(Small);
        code.ShouldBe(0);
        Golden.Match("plan-small.txt", stdout);
    }

    [Fact]
    public void The_same_plan_twice_gives_the_same_answer_and_a_csv()
    {
        var csv = Path.Combine(Path.GetTempPath(), $"tpd-plan-{Guid.NewGuid():N}.csv");
        try
        {
            var (_, a, _) = CliRunner.Run([.. Small, "--json", "--csv", csv]);
            var (_, b, _) = CliRunner.Run([.. Small, "--json"]);
            a.ShouldBe(b);
            var lines = File.ReadAllLines(csv);
            lines[0].ShouldStartWith("rank,configuration,gpu,");
            lines.Length.ShouldBe(3);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void Bad_options_are_all_reported()
    {
        var (code, _, stderr) = CliRunner.Run("plan", "--users", "10", "--rate", "2", "--gpus", "h1000", "--weights", "fp3", "--quality", "int4=2");
        code.ShouldBe(2);
        stderr.ShouldContain("error: give one demand: --users, --rate or --tokens-per-day");
        stderr.ShouldContain("error: unknown GPU 'h1000'");
        stderr.ShouldContain("error: --weights 'fp3' is not a weight format");
        stderr.ShouldContain("error: --quality 'int4=2' is not FORMAT=WEIGHT with a weight in (0, 1]");
    }

    [Fact]
    public void A_preset_is_read_once_in_the_words_simulate_uses_and_in_any_letter_case()
    {
        var (code, _, stderr) = CliRunner.Run("plan", "--preset", "Chatty", "--users", "10");
        code.ShouldBe(2);
        stderr.ShouldBe("error: --preset 'Chatty' is not a workload preset; use one of chat, rag, batch, agentic" + Environment.NewLine);

        var (ragCode, _, ragErrors) = CliRunner.Run("plan", "--preset", "RAG", "--users", "10");
        ragCode.ShouldBe(2);
        ragErrors.ShouldContain("a demand in users applies to the chat and agentic presets; 'rag' takes a rate (requests/s) or tokens/day");
    }

    [Fact]
    public void Fp8_weights_are_not_considered_on_gpus_that_cannot_run_them()
    {
        // T4 (sm75) has neither FP8 tensor cores nor vLLM's Marlin fp8 path (sm80+); A10 (sm86) has the latter.
        var (code, stdout, _) = CliRunner.Run("plan", "--gpus", "t4,a10", "--tp", "1", "--kv", "fp8", "--users", "20", "--json");
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        var labels = doc.RootElement.GetProperty("ranked").EnumerateArray().Select(r => r.GetProperty("configuration").GetString()!)
            .Concat(doc.RootElement.GetProperty("pruned").EnumerateArray().Select(r => r.GetProperty("configuration").GetString()!))
            .ToList();
        labels.ShouldNotContain(l => l.StartsWith("t4 ", StringComparison.Ordinal) && l.Contains(" fp8 ", StringComparison.Ordinal));
        labels.ShouldContain(l => l.StartsWith("a10 ", StringComparison.Ordinal) && l.Contains(" fp8 ", StringComparison.Ordinal));
    }
}
