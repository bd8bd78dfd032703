using System.CommandLine;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Prediction;
using Tpd.Bench.Progress;
using Tpd.Bench.Records;
using Tpd.Bench.Streaming;
using Tpd.Bench.Sweep;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Measurement;

namespace Tpd.Cli.Commands;

/// <summary>
/// `tpd bench`: load-test an OpenAI-compatible endpoint and report MEASURE.md metrics in dollars: one run (closed
/// loop, open loop, trace replay, ShareGPT prompts, chat sessions) or a sweep, with predicted-versus-measured on
/// request. Records are written as each request finishes, so Ctrl-C or a crash loses nothing measured.
/// </summary>
internal static class BenchCommand
{
    /// <param name="stdout">Report, JSON.</param>
    /// <param name="stderr">Warnings, errors and the live progress line.</param>
    /// <param name="progress">Show the progress line; null: only when stderr is the process's own terminal.</param>
    public static Command Create(TextWriter stdout, TextWriter stderr, bool? progress = null)
    {
        var o = new BenchOptions();
        var command = new Command("bench", "Load-test an OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp, TensorRT-LLM) and report TTFT, TPOT, ITL, E2E, throughput, goodput and $/1M tokens.");
        foreach (var option in o.All)
            command.Options.Add(option);

        command.SetAction(async (r, ct) =>
        {
            var errors = new InputErrors();
            DiscoveredModels? discovered = null;
            if (r.GetValue(o.ServedModel) is null && BenchInput.BaseUri(r.GetValue(o.Url)) is { } root)
                discovered = await ModelDiscovery.ListAsync(root, BenchInput.ApiKey(r, o), cancellationToken: ct).ConfigureAwait(false);
            var s = BenchInput.Read(r, o, new PhysicalFiles(), errors, discovered);
            if (s is null)
                return ErrorOutput.Write(stderr, errors.All);
            if (discovered?.Single is { } only)
                stderr.WriteLine($"served model: {only} (the one model GET /v1/models lists; --served-model picks another)");

            var clock = RunClock.From(TimeProvider.System);
            using var client = new OpenAiStreamClient(s.Endpoint, clock);
            try
            {
                var probe = await CapabilityProbe.ProbeAsync(client, s.Endpoint, ct).ConfigureAwait(false);
                client.Capabilities = probe.Capabilities;
                foreach (var warning in probe.Warnings)
                    stderr.WriteLine($"warning: {warning}");
            }
            catch (BenchSetupException e)
            {
                // The probe's message already says what to check.
                return ErrorOutput.Write(stderr, [$"--url '{s.Endpoint.BaseUri}' did not answer a streaming request: {e.Message}"]);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return ErrorOutput.Write(stderr, [$"--url '{s.Endpoint.BaseUri}' did not answer a streaming request: {e.Message}; check the server is up, the model name and the API key"]);
            }

            var enabled = !s.NoProgress && (progress ?? (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected));
            var counters = new LoadProgress();
            var line = new ProgressLine(stderr, counters, enabled);
            await using var writer = JsonlRecordWriter.Create(s.RecordsPath);
            try
            {
                line.Start();
                if (s.Sweep is { } sweep)
                {
                    var result = await RunSweepAsync(s, sweep, client, clock, writer, counters, ct).ConfigureAwait(false);
                    await line.DisposeAsync().ConfigureAwait(false);
                    var predictions = s.Predict is { } p
                        ? result.Points.Select(pt => (Prediction?)Predict(s, p, pt.Result.Records, pt.Spec.Plan, pt.Summary)).ToList()
                        : result.Points.Select(_ => (Prediction?)null).ToList();
                    var warnings = result.Points.SelectMany(pt => pt.Result.Warnings.Select(w => $"{pt.Label}: {w}")).Concat(client.Warnings).Distinct().ToList();
                    var view = new BenchSweepView(s, result, predictions, warnings);
                    WriteWarnings(stderr, view.Warnings);
                    if (s.CsvPath is { } csv)
                        BenchCsv.WriteFile(csv, BenchCsv.Rows(view));
                    if (s.Json)
                        BenchJson.Write(stdout, view);
                    else
                        BenchSweepReport.Write(Consoles.For(stdout), view);
                }
                else
                {
                    counters.Reset(s.Plan.MaxRequests, null);
                    var runner = new LoadRunner(client, s.Source, clock) { OnRecord = (rec, t) => writer.WriteAsync(rec, t), Progress = counters };
                    var result = await runner.RunAsync(s.Plan, ct).ConfigureAwait(false);
                    await line.DisposeAsync().ConfigureAwait(false);
                    var summary = RunSummary.Of(result.Records, s.Slo, s.Cost);
                    var prediction = s.Predict is { } p ? Predict(s, p, result.Records, s.Plan, summary) : null;
                    var view = new BenchView(s, result, summary, prediction, [.. result.Warnings.Concat(client.Warnings).Distinct()]);
                    WriteWarnings(stderr, view.Warnings);
                    if (s.CsvPath is { } csv)
                        BenchCsv.WriteFile(csv, BenchCsv.Rows(view));
                    if (s.Json)
                        BenchJson.Write(stdout, view);
                    else
                        BenchReport.Write(Consoles.For(stdout), view);
                }
            }
            catch (OperationCanceledException)
            {
                await line.DisposeAsync().ConfigureAwait(false);
                stderr.WriteLine($"interrupted: the requests that finished are in {s.RecordsPath}");
                return 130;
            }
            catch (ArgumentException e) when (e.ParamName == "records")
            {
                // RunSummary refuses a run with nothing to summarize (every request warm-up, or no time elapsed).
                await line.DisposeAsync().ConfigureAwait(false);
                return ErrorOutput.Write(stderr, [e.Message]);
            }
            finally
            {
                await line.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task<SweepResult> RunSweepAsync(BenchSettings s, SweepPlan sweep, OpenAiStreamClient client, RunClock clock, JsonlRecordWriter writer, LoadProgress counters, CancellationToken ct)
    {
        long nextId = 0;
        long nextIndex = 0;
        return await SweepRunner.RunAsync(
            sweep,
            async (spec, token) =>
            {
                counters.Reset(spec.Plan.MaxRequests, spec.Label);
                var runner = new LoadRunner(client, s.Source, clock)
                {
                    FirstId = nextId,
                    FirstIndex = nextIndex,
                    OnRecord = (rec, t) => writer.WriteAsync(rec, spec.Label, t),
                    Progress = counters,
                };
                var result = await runner.RunAsync(spec.Plan, token).ConfigureAwait(false);
                nextId += result.Records.Count;
                nextIndex += result.Records.Count(rec => !rec.Warmup);
                return result;
            },
            records => RunSummary.Of(records, s.Slo, s.Cost),
            s.Slo,
            cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Predicted versus measured for one run or sweep point.</summary>
    internal static Prediction Predict(BenchSettings s, PredictSetup p, IReadOnlyList<RequestRecord> records, LoadPlan plan, RunSummary measured) =>
        Predictor.Run(records, new MeasuredWorkload(records, plan, s.SharedPrefixTokens), p.Options, p.Cost, measured, s.Slo, s.Cost);

    private static void WriteWarnings(TextWriter stderr, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
            stderr.WriteLine($"warning: {warning}");
    }
}
