using System.CommandLine;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Records;
using Tpd.Bench.Streaming;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Cli.Commands;

/// <summary>
/// `tpd bench`: load-test an OpenAI-compatible endpoint with exact-length prompts and report MEASURE.md metrics in
/// dollars. Records are written as each request finishes, so Ctrl-C or a crash loses nothing measured.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var url = new Option<string>("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:8000 (the /v1/... paths are added)" };
        var model = new Option<string>("--served-model") { Description = "Model name the server serves (the request's \"model\" field)" };
        var api = new Option<string>("--api") { Description = "completions (token-id prompts, exact lengths) or chat [default: completions]" };
        var apiKey = new Option<string>("--api-key") { Description = "API key [default: $OPENAI_API_KEY when set]" };
        var input = new Option<string>("--input") { Description = "Prompt tokens per request [default: 512]" };
        var output = new Option<string>("--output") { Description = "Output tokens per request (max_tokens, with ignore_eos where supported) [default: 128]" };
        var concurrency = new Option<string>("--concurrency") { Description = "Closed loop: requests in flight [default: 8 unless --rate]" };
        var rate = new Option<string>("--rate") { Description = "Open loop: requests per second (with --concurrency as a cap)" };
        var arrivals = new Option<string>("--arrivals") { Description = "poisson, gamma or constant send times [default: poisson]" };
        var cv = new Option<string>("--cv") { Description = "Coefficient of variation of gamma gaps (burstiness) [default: 1]" };
        var requests = new Option<string>("--requests") { Description = "Requests to send, warm-up excluded [default: 100]" };
        var duration = new Option<string>("--duration") { Description = "Stop after this many seconds [default: 600]" };
        var warmup = new Option<string>("--warmup") { Description = "Warm-up requests, excluded from statistics [default: 2]" };
        var seed = new Option<string>("--seed") { Description = "Seed of prompts and send times [default: 1]" };
        var slo = new Option<string>("--slo") { Description = "SLOs for goodput, e.g. \"ttft<=2s, tpot<=50ms\"" };
        var price = new Option<string>("--price") { Description = "Server price in $/hour (all its GPUs): $/1M tokens" };
        var watts = new Option<string>("--watts") { Description = "Server power in watts: joules per token" };
        var records = new Option<string>("--records") { Description = "JSONL file of per-request records, written as requests finish [default: bench-records.jsonl]" };
        var json = new Option<bool>("--json") { Description = "Write the summary as JSON" };
        var command = new Command("bench", "Load-test an OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp, TensorRT-LLM) and report TTFT, TPOT, ITL, E2E, throughput, goodput and $/1M tokens.")
        {
            url, model, api, apiKey, input, output, concurrency, rate, arrivals, cv, requests, duration, warmup, seed, slo, price, watts, records, json,
        };

        command.SetAction(async (r, ct) =>
        {
            var errors = new InputErrors();
            Uri? baseUri = null;
            if (r.GetValue(url) is not { } u)
                errors.Add("--url is required, e.g. --url http://127.0.0.1:8000 (try `tpd bench --help`)");
            else if (!(Uri.TryCreate(u.EndsWith('/') ? u : u + "/", UriKind.Absolute, out baseUri) && baseUri.Scheme is "http" or "https"))
                errors.Add($"--url '{u}' is not an http(s) URL; use e.g. http://127.0.0.1:8000");
            var served = r.GetValue(model);
            if (served is null)
                errors.Add("--served-model is required: the model name the server expects, e.g. meta-llama/Llama-3.1-8B-Instruct");
            var apiKind = (r.GetValue(api) ?? "completions").ToLowerInvariant() switch
            {
                "completions" => ApiKind.Completions,
                "chat" => ApiKind.ChatCompletions,
                var other => Invalid(errors, $"--api '{other}' is not an API; use completions or chat"),
            };
            var inTokens = errors.Int("--input", r.GetValue(input), 1, 1_000_000, "use prompt tokens such as 512") ?? 512;
            var outTokens = errors.Int("--output", r.GetValue(output), 1, 1_000_000, "use output tokens such as 128") ?? 128;
            var conc = errors.Int("--concurrency", r.GetValue(concurrency), 1, 100_000, "use requests in flight such as 8");
            var rateValue = errors.Double("--rate", r.GetValue(rate), 0.001, 1_000_000, "use requests per second such as 5");
            var process = (r.GetValue(arrivals) ?? "poisson").ToLowerInvariant() switch
            {
                "poisson" => ArrivalProcess.Poisson,
                "gamma" => ArrivalProcess.Gamma,
                "constant" => ArrivalProcess.Constant,
                var other => InvalidArrivals(errors, other),
            };
            var cvValue = errors.Double("--cv", r.GetValue(cv), 0.01, 100, "use a coefficient of variation such as 2 (burstier than Poisson)") ?? 1;
            var count = errors.Int("--requests", r.GetValue(requests), 1, 100_000_000, "use a number of requests such as 200") ?? 100;
            var seconds = errors.Double("--duration", r.GetValue(duration), 0.1, 7 * 86_400, "use seconds such as 300") ?? 600;
            var warm = errors.Int("--warmup", r.GetValue(warmup), 0, 10_000, "use 0 to 10 warm-up requests") ?? 2;
            var seedValue = errors.Int("--seed", r.GetValue(seed), 0, int.MaxValue, "use a whole number") ?? 1;
            var priceValue = errors.Double("--price", r.GetValue(price), 0.0001, 1_000_000, "use dollars per hour for the whole server");
            var wattsValue = errors.Double("--watts", r.GetValue(watts), 1, 1_000_000, "use watts for the whole server");
            var sloSpec = errors.Slo("--slo", r.GetValue(slo));

            var plan = new LoadPlan
            {
                Rate = rateValue,
                Arrivals = process,
                GammaCv = cvValue,
                Concurrency = conc ?? (rateValue is null ? 8 : null),
                MaxRequests = count,
                MaxDuration = TimeSpan.FromSeconds(seconds),
                Warmup = warm,
                Seed = seedValue,
            };
            errors.AddRange(plan.Validate());
            if (errors.Any || baseUri is null || served is null)
                return ErrorOutput.Write(stderr, errors.All);

            var endpoint = new EndpointOptions
            {
                BaseUri = baseUri,
                Model = served,
                Api = apiKind,
                ApiKey = r.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
            };
            var clock = RunClock.From(TimeProvider.System);
            using var client = new OpenAiStreamClient(endpoint, clock);
            try
            {
                var probe = await CapabilityProbe.ProbeAsync(client, endpoint, ct).ConfigureAwait(false);
                client.Capabilities = probe.Capabilities;
                foreach (var warning in probe.Warnings)
                    stderr.WriteLine($"warning: {warning}");
            }
            catch (Exception e) when (e is BenchSetupException or HttpRequestException or TaskCanceledException)
            {
                return ErrorOutput.Write(stderr, [$"--url '{baseUri}' did not answer a streaming request: {e.Message}; check the server is up, the model name and the API key"]);
            }

            var recordsPath = r.GetValue(records) ?? "bench-records.jsonl";
            await using var writer = JsonlRecordWriter.Create(recordsPath);
            var runner = new LoadRunner(client, new RandomTokenSource(inTokens, outTokens, seedValue), clock)
            {
                OnRecord = (record, token) => writer.WriteAsync(record, token),
            };
            LoadResult result;
            try
            {
                result = await runner.RunAsync(plan, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine($"interrupted: the requests that finished are in {recordsPath}");
                return 130;
            }

            var cost = priceValue is null && wattsValue is null ? null : new CostInputs
            {
                Price = priceValue is { } p ? MoneyRate.FromDollarsPerHour(p) : null,
                Power = wattsValue is { } w ? Power.FromWatts(w) : null,
            };
            var summary = RunSummary.Of(result.Records, sloSpec, cost);
            foreach (var warning in result.Warnings.Concat(client.Warnings).Distinct())
                stderr.WriteLine($"warning: {warning}");
            if (r.GetValue(json))
                BenchJson.Write(stdout, summary, result, recordsPath);
            else
                BenchReport.Write(Consoles.For(stdout), summary, result, endpoint, recordsPath);
            return 0;
        });
        return command;
    }

    private static ApiKind Invalid(InputErrors errors, string message)
    {
        errors.Add(message);
        return ApiKind.Completions;
    }

    private static ArrivalProcess InvalidArrivals(InputErrors errors, string text)
    {
        errors.Add($"--arrivals '{text}' is not an arrival process; use poisson, gamma or constant");
        return ArrivalProcess.Poisson;
    }
}
