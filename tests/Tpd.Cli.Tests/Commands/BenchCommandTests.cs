using System.Text.Json;
using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;
using Tpd.TestKit.Fakes;
using Tpd.Twin.Server;

namespace Tpd.Cli.Tests.Commands;

/// <summary>`tpd bench` against a real Kestrel OpenAI-style server on 127.0.0.1, bounded in count and time.</summary>
public class BenchCommandTests
{
    [Fact]
    public async Task A_closed_loop_run_measures_every_request_and_writes_records_as_they_finish()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new FakeServerOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(30), TokenDelay = TimeSpan.FromMilliseconds(3) });
        var records = Path.Combine(Path.GetTempPath(), $"tpd-bench-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("bench", "--url", server.BaseUri.ToString(), "--served-model", "fake", "--input", "64", "--output", "16",
                "--concurrency", "4", "--requests", "20", "--warmup", "1", "--duration", "30", "--price", "10", "--slo", "ttft<=2s", "--records", records, "--json");
            code.ShouldBe(0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            double Figure(string name) => doc.RootElement.GetProperty("figures").EnumerateArray().First(f => f.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();
            Figure("ok_requests").ShouldBe(20);
            Figure("error_requests").ShouldBe(0);
            // The fake server answers the first token after 30 ms, so TTFT cannot be below it.
            Figure("ttft_p50_seconds").ShouldBeGreaterThan(0.029);
            Figure("tpot_p50_seconds").ShouldBeGreaterThan(0.0025);
            File.ReadAllLines(records).Length.ShouldBe(21); // 20 measured + 1 warm-up, flagged in the record
        }
        finally
        {
            File.Delete(records);
        }
    }

    [Fact]
    public async Task Without_a_served_model_bench_loads_the_one_model_the_server_lists_and_predicts_from_its_name()
    {
        // A zero-delay twin serving an Instruct name the catalog knows only as its base model.
        var profile = new ModelProfile(ModelCatalog.Default.Find("llama-3.1-8b"), GpuCatalog.Default.Get("h100-sxm"), new ServingConfig(), Efficiency.Default);
        await using var twin = await TwinServer.StartAsync(new TwinOptions
        {
            ServedModelName = "meta-llama/Llama-3.1-8B-Instruct",
            Engine = new EngineOptions { KvBlocks = 10_000, MaxNumSeqs = 64, MaxNumBatchedTokens = 8192 },
            Cost = new RooflineStepModel(profile),
            ZeroDelay = true,
        });
        var records = Path.Combine(Path.GetTempPath(), $"tpd-bench-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("bench", "--url", twin.BaseUri.ToString(), "--input", "32", "--output", "8",
                "--concurrency", "2", "--requests", "6", "--warmup", "0", "--predict", "h100-sxm:tp=1", "--records", records, "--json");
            code.ShouldBe(0, stderr);
            stderr.ShouldContain("served model: meta-llama/Llama-3.1-8B-Instruct (the one model GET /v1/models lists");
            using var doc = JsonDocument.Parse(stdout);
            doc.RootElement.GetProperty("prediction").GetProperty("server").GetString().ShouldStartWith("Llama-3.1-8B on 1 x");
        }
        finally
        {
            File.Delete(records);
        }
    }

    [Fact]
    public void Without_a_served_model_a_dead_server_says_why_the_model_is_unknown()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--requests", "1");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --served-model is required (GET http://127.0.0.1:1/v1/models failed:");
    }

    [Fact]
    public void Missing_and_bad_options_are_all_reported()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--url", "ftp://x", "--api", "grpc", "--arrivals", "bursty");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --url 'ftp://x' is not an http(s) URL; use e.g. http://127.0.0.1:8000");
        stderr.ShouldContain("error: --served-model is required");
        stderr.ShouldContain("error: --api 'grpc' is not an API; use completions or chat");
        stderr.ShouldContain("error: --arrivals 'bursty' is not an arrival process; use poisson, gamma or constant");
    }

    [Fact]
    public void A_dead_server_is_a_clear_error()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "x", "--requests", "1");
        code.ShouldBe(2);
        stderr.ShouldContain("did not answer a streaming request");
    }
}
