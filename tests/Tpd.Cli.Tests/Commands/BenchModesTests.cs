using System.Text.Json;
using Tpd.Bench.Records;
using Tpd.Cli.Commands;
using Tpd.TestKit.Fakes;

namespace Tpd.Cli.Tests.Commands;

/// <summary>`tpd bench` modes end to end against a real Kestrel OpenAI-style server on 127.0.0.1, small and fast.</summary>
public sealed class BenchModesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tpd-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Task<FakeOpenAiServer> Server() =>
        FakeOpenAiServer.StartAsync(new FakeServerOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(5), TokenDelay = TimeSpan.FromMilliseconds(1) });

    private static double Figure(JsonElement point, string name) =>
        point.GetProperty("figures").EnumerateArray().First(f => f.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();

    [Fact]
    public async Task A_sweep_runs_every_point_labels_the_records_writes_csv_and_names_a_best_point()
    {
        await using var server = await Server();
        var (code, stdout, stderr) = CliRunner.Run("bench", "--url", server.BaseUri.ToString(), "--served-model", "fake", "--input", "8", "--output", "4",
            "--sweep", "2", "--saturation-concurrency", "4", "--requests", "8", "--warmup", "1", "--price", "2", "--slo", "ttft<=5s",
            "--records", PathOf("r.jsonl"), "--csv", PathOf("r.csv"), "--json");
        code.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
        points.Count.ShouldBeInRange(3, 4);
        points.Select(p => p.GetProperty("kind").GetString()).Take(3).ShouldBe(["synchronous", "saturation", "rate"]);
        points.ShouldAllBe(p => Figure(p, "ok_requests") == 8);
        doc.RootElement.GetProperty("best_point").GetString().ShouldNotBeNull();

        var labelled = JsonlRecordWriter.ReadLabelled(new StringReader(File.ReadAllText(PathOf("r.jsonl")))).ToList();
        labelled.Count.ShouldBe((points.Count * 8) + 1);
        labelled.Select(l => l.Point).Distinct().Count().ShouldBe(points.Count);
        labelled.Select(l => l.Record.Id).Distinct().Count().ShouldBe(labelled.Count);
        File.ReadAllLines(PathOf("r.csv")).Length.ShouldBe(points.Count + 1);
    }

    [Fact]
    public async Task Predict_prints_predicted_versus_measured_for_every_metric()
    {
        await using var server = await Server();
        var (code, stdout, stderr) = CliRunner.Run("bench", "--url", server.BaseUri.ToString(), "--served-model", "fake", "--input", "32", "--output", "8",
            "--concurrency", "2", "--requests", "6", "--predict", "h100-sxm:tp=1", "--predict-model", "llama-3.1-8b", "--records", PathOf("r.jsonl"));
        code.ShouldBe(0, stderr);
        stdout.ShouldContain("Predicted vs measured (Llama-3.1-8B on 1 x NVIDIA H100");
        foreach (var metric in new[] { "TTFT p50", "TTFT p99", "TPOT p90", "ITL p99", "E2E p50", "request throughput", "output token throughput" })
            stdout.ShouldContain(metric);
    }

    [Fact]
    public async Task Sessions_trace_and_sharegpt_runs_send_what_they_read()
    {
        await using var server = await Server();
        var url = server.BaseUri.ToString();

        var (code, _, err) = CliRunner.Run("bench", "--url", url, "--served-model", "fake", "--sessions", "2", "--turns", "2", "--think", "0", "--input", "4", "--output", "3", "--requests", "4", "--warmup", "0", "--records", PathOf("s.jsonl"), "--json");
        code.ShouldBe(0, err);
        var sessions = JsonlRecordWriter.Read(new StringReader(File.ReadAllText(PathOf("s.jsonl")))).ToList();
        sessions.Count.ShouldBe(4);
        sessions.ShouldAllBe(r => r.SessionId != null && r.Turn != null);

        File.WriteAllText(PathOf("t.jsonl"), "{\"arrival_seconds\": 0, \"input_tokens\": 5, \"output_tokens\": 2}\n{\"arrival_seconds\": 0.05, \"input_tokens\": 9, \"output_tokens\": 3}\n");
        (code, var stdout, err) = CliRunner.Run("bench", "--url", url, "--served-model", "fake", "--trace", PathOf("t.jsonl"), "--warmup", "0", "--records", PathOf("t-out.jsonl"), "--json");
        code.ShouldBe(0, err);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Figure(doc.RootElement, "input_tokens").ShouldBe(14);
            Figure(doc.RootElement, "output_tokens").ShouldBe(5);
            doc.RootElement.GetProperty("load").GetString().ShouldBe("trace replay, target 20 req/s");
        }

        File.WriteAllText(PathOf("g.json"), """[{"conversations": [{"from": "human", "value": "Tell me about the sea and its tides"}, {"from": "gpt", "value": "The sea rises and falls twice a day because of the moon."}]}]""");
        (code, stdout, err) = CliRunner.Run("bench", "--url", url, "--served-model", "fake", "--sharegpt", PathOf("g.json"), "--api", "chat", "--concurrency", "1", "--requests", "2", "--warmup", "0", "--records", PathOf("g-out.jsonl"), "--json");
        code.ShouldBe(0, err);
        lock (server.Bodies)
            server.Bodies[^1].ShouldContain("\"content\":\"Tell me about the sea and its tides\"");
        using (var doc = JsonDocument.Parse(stdout))
            Figure(doc.RootElement, "output_tokens").ShouldBe(28); // 2 x (56 characters / 4)
    }

    [Fact]
    public async Task Progress_goes_to_stderr_only_when_asked_or_on_a_terminal()
    {
        await using var server = await FakeOpenAiServer.StartAsync(new FakeServerOptions { FirstTokenDelay = TimeSpan.FromMilliseconds(300), TokenDelay = TimeSpan.FromMilliseconds(1) });
        string[] args = ["bench", "--url", server.BaseUri.ToString(), "--served-model", "fake", "--input", "4", "--output", "2", "--concurrency", "1", "--requests", "5", "--warmup", "0", "--records", PathOf("p.jsonl")];

        // Redirected (a StringWriter is not the console): no status line.
        var (code, _, quiet) = CliRunner.Run(args);
        code.ShouldBe(0, quiet);
        quiet.ShouldNotContain("\r");

        // Forced on, as on a terminal: the line rewrites itself with a carriage return and is cleared before the report.
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var command = BenchCommand.Create(stdout, stderr, progress: true);
        var exit = await command.Parse(args[1..]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
        exit.ShouldBe(0, stderr.ToString());
        stderr.ToString().ShouldContain("\r");
        stderr.ToString().ShouldContain("/5 done, ");
    }

    [Fact]
    public void Conflicting_and_bad_options_are_all_reported()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "x", "--rate", "2", "--sessions", "3", "--concurrency", "2",
            "--trace", PathOf("missing.jsonl"), "--predict", "h100", "--predict-model", "no-such-model", "--turns", "0");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --rate and --trace and --sessions are different load shapes; give one of --concurrency, --rate, --trace, --sessions or --sweep");
        stderr.ShouldContain("error: --concurrency sets a closed loop; with --rate, --trace or --sweep cap requests in flight with --max-concurrency");
        stderr.ShouldContain($"error: --trace '{PathOf("missing.jsonl")}' does not exist");
        stderr.ShouldContain("error: --turns '0' is not a whole number from 1 to 1,000");
        stderr.ShouldContain("no-such-model");
    }

    [Fact]
    public void A_bad_predict_spec_and_an_unknown_served_model_say_how_to_fix_them()
    {
        var (_, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "my-finetune", "--predict", "h100-sxm:tp=x");
        stderr.ShouldContain("error: --predict 'h100-sxm:tp=x' is not GPU:tp=N; write e.g. h100-sxm:tp=2");
        (_, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "my-finetune", "--predict", "h100-sxm:tp=2");
        stderr.ShouldContain("error: --predict: the catalog does not know the served model 'my-finetune'; add --predict-model");
    }

    [Fact]
    public void A_predicted_setup_that_does_not_split_or_hold_the_model_is_refused_with_the_reason()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "x", "--predict", "h100-sxm:tp=3", "--predict-model", "llama-3.1-8b");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --predict: tensor parallel 3 does not divide the 8 KV heads of Llama-3.1-8B (nor they it); use a TP that divides or is a multiple of 8");

        (code, _, stderr) = CliRunner.Run("bench", "--url", "http://127.0.0.1:1", "--served-model", "x", "--predict", "l4", "--predict-model", "llama-3.1-70b");
        code.ShouldBe(2);
        stderr.ShouldContain("error: --predict: Llama-3.1-70B on 1 x l4 does not fit: weights (141.1 GB), activations (");
        stderr.ShouldContain("; run `tpd estimate --model llama-3.1-70b --gpu l4 --tp 1` for what would fit");
    }
}
