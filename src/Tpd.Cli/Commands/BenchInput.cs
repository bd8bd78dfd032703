using System.CommandLine;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Sweep;
using Tpd.Cli.Input;
using Tpd.Core.Measurement;
using Tpd.Core.Units;
using TraceReplayWorkload = Tpd.Simulation.Workloads.TraceReplayWorkload;

namespace Tpd.Cli.Commands;

/// <summary>Everything `tpd bench` was asked to do, validated.</summary>
internal sealed record BenchSettings
{
    public required EndpointOptions Endpoint { get; init; }
    public required LoadPlan Plan { get; init; }
    public required IRequestSource Source { get; init; }

    /// <summary>What the requests are, in words, for the report header.</summary>
    public required string Workload { get; init; }

    public SweepPlan? Sweep { get; init; }
    public SloSpec? Slo { get; init; }
    public CostInputs? Cost { get; init; }
    public PredictSetup? Predict { get; init; }
    public int SharedPrefixTokens { get; init; }
    public required string RecordsPath { get; init; }
    public string? CsvPath { get; init; }
    public bool Json { get; init; }
    public bool NoProgress { get; init; }
}

/// <summary>Turns `tpd bench` options into <see cref="BenchSettings"/>, reporting every problem at once.</summary>
internal static class BenchInput
{
    // discovered: what GET /v1/models listed when the user gave no --served-model (null: not asked).
    public static BenchSettings? Read(ParseResult r, BenchOptions o, IFiles files, InputErrors errors, DiscoveredModels? discovered = null)
    {
        string? S(Option<string> opt) => r.GetValue(opt);

        Uri? baseUri = null;
        if (S(o.Url) is not { } u)
            errors.Add("--url is required, e.g. --url http://127.0.0.1:8000 (try `tpd bench --help`)");
        else if ((baseUri = BaseUri(u)) is null)
            errors.Add($"--url '{u}' is not an http(s) URL; use e.g. http://127.0.0.1:8000");
        var served = S(o.ServedModel) ?? discovered?.Single;
        if (served is null)
        {
            var why = discovered switch
            {
                null => "",
                { Problem: { } problem } => $" ({problem})",
                _ => $" (the server serves {discovered.Ids.Count}: {string.Join(", ", discovered.Ids.Take(10))})",
            };
            errors.Add($"--served-model is required{why}: the model name the server expects, e.g. meta-llama/Llama-3.1-8B-Instruct");
        }

        var sessions = errors.Int("--sessions", S(o.Sessions), 1, 100_000, "use sessions in flight such as 8");
        var apiKind = (S(o.Api) ?? (sessions is null ? "completions" : "chat")).ToLowerInvariant() switch
        {
            "completions" => ApiKind.Completions,
            "chat" => ApiKind.ChatCompletions,
            var other => Invalid(errors, $"--api '{other}' is not an API; use completions or chat", ApiKind.Completions),
        };
        var inTokens = errors.Int("--input", S(o.Input), 1, 1_000_000, "use prompt tokens such as 512") ?? 512;
        var outTokens = errors.Int("--output", S(o.Output), 1, 1_000_000, "use output tokens such as 128") ?? 128;
        var conc = errors.Int("--concurrency", S(o.Concurrency), 1, 100_000, "use requests in flight such as 8");
        var cap = errors.Int("--max-concurrency", S(o.MaxConcurrency), 1, 100_000, "use requests in flight such as 64");
        var rate = errors.Double("--rate", S(o.Rate), 0.001, 1_000_000, "use requests per second such as 5");
        var arrivals = (S(o.Arrivals) ?? "poisson").ToLowerInvariant() switch
        {
            "poisson" => ArrivalProcess.Poisson,
            "gamma" => ArrivalProcess.Gamma,
            "constant" => ArrivalProcess.Constant,
            var other => Invalid(errors, $"--arrivals '{other}' is not an arrival process; use poisson, gamma or constant", ArrivalProcess.Poisson),
        };
        var cv = errors.Double("--cv", S(o.Cv), 0.01, 100, "use a coefficient of variation such as 2 (burstier than Poisson)") ?? 1;
        var count = errors.Int("--requests", S(o.Requests), 1, 100_000_000, "use a number of requests such as 200");
        var seconds = errors.Double("--duration", S(o.Duration), 0.1, 7 * 86_400, "use seconds such as 300") ?? 600;
        var warm = errors.Int("--warmup", S(o.Warmup), 0, 10_000, "use 0 to 10 warm-up requests") ?? 2;
        var seed = errors.Int("--seed", S(o.Seed), 0, int.MaxValue, "use a whole number") ?? 1;
        var price = errors.Double("--price", S(o.Price), 0.0001, 1_000_000, "use dollars per hour for the whole server");
        var watts = errors.Double("--watts", S(o.Watts), 1, 1_000_000, "use watts for the whole server");
        var slo = errors.Slo("--slo", S(o.Slo));
        var prefix = errors.Int("--shared-prefix", S(o.SharedPrefix), 0, 1_000_000, "use prefix tokens such as 1024") ?? 0;
        var turns = errors.Int("--turns", S(o.Turns), 1, 1000, "use turns per session such as 3") ?? 3;
        var think = errors.Double("--think", S(o.Think), 0, 3600, "use seconds such as 1") ?? 1;
        var satConc = errors.Int("--saturation-concurrency", S(o.SaturationConcurrency), 2, 100_000, "use requests in flight such as 256") ?? 256;

        var sweepGiven = r.GetResult(o.Sweep) is not null;
        var sweepRates = sweepGiven ? errors.Int("--sweep", S(o.Sweep), 1, 100, "use the number of rates between synchronous and saturation, such as 5") ?? 5 : (int?)null;
        var tracePath = S(o.Trace);
        var shareGptPath = S(o.ShareGpt);

        // One load shape and one dataset at a time.
        var shapes = new[] { (rate is not null, "--rate"), (tracePath is not null, "--trace"), (sessions is not null, "--sessions"), (sweepGiven, "--sweep") }.Where(x => x.Item1).Select(x => x.Item2).ToList();
        if (shapes.Count > 1)
            errors.Add($"{string.Join(" and ", shapes)} are different load shapes; give one of --concurrency, --rate, --trace, --sessions or --sweep");
        if (conc is not null && (rate is not null || tracePath is not null || sweepGiven))
            errors.Add("--concurrency sets a closed loop; with --rate, --trace or --sweep cap requests in flight with --max-concurrency");
        if (cap is not null && rate is null && tracePath is null && !sweepGiven)
            errors.Add("--max-concurrency caps an open loop; add --rate, --trace or --sweep, or use --concurrency for a closed loop");
        if (conc is not null && sessions is not null)
            errors.Add("--sessions is the concurrency of a session run; drop --concurrency");
        if (shareGptPath is not null && (tracePath is not null || sessions is not null))
            errors.Add("--sharegpt gives the prompts; it cannot be combined with --trace or --sessions, which make their own");
        if (prefix > 0 && (tracePath is not null || shareGptPath is not null))
            errors.Add("--shared-prefix applies to random prompts and sessions (as their system prompt); drop it with --trace or --sharegpt");
        if (sessions is not null && apiKind != ApiKind.ChatCompletions)
            errors.Add("--sessions sends chat histories; use --api chat (the default with --sessions)");
        if ((S(o.Turns) is not null || S(o.Think) is not null) && sessions is null)
            errors.Add("--turns and --think apply to --sessions; add --sessions N");
        if (S(o.SaturationConcurrency) is not null && !sweepGiven)
            errors.Add("--saturation-concurrency applies to --sweep");

        IRequestSource? source = null;
        IReadOnlyList<double>? sendTimes = null;
        string workload;
        if (tracePath is not null)
        {
            source = ReadTrace(tracePath, seed, errors);
            sendTimes = (source as TraceSource)?.SendTimes;
            workload = $"trace {Path.GetFileName(tracePath)} ({sendTimes?.Count ?? 0} requests)";
        }
        else if (shareGptPath is not null)
        {
            source = ReadShareGpt(shareGptPath, seed, errors);
            workload = $"ShareGPT prompts from {Path.GetFileName(shareGptPath)} ({(source as ShareGptSource)?.Count ?? 0} conversations)";
        }
        else if (sessions is not null)
        {
            source = new ChatSessionSource(inTokens, outTokens, turns, seed, prefix);
            workload = $"{sessions} chat sessions in flight, {turns} turns each, ~{inTokens} tokens per message, {outTokens} per reply, think {think:0.##} s" + (prefix > 0 ? $", {prefix}-token system prompt" : "");
        }
        else
        {
            source = new RandomTokenSource(inTokens, outTokens, seed, sharedPrefixTokens: prefix);
            workload = $"random prompts, {inTokens} tokens in, {outTokens} out" + (prefix > 0 ? $", after a shared {prefix}-token prefix" : "");
        }

        var plan = new LoadPlan
        {
            Rate = rate,
            SendTimes = sendTimes,
            Arrivals = arrivals,
            GammaCv = cv,
            Concurrency = sessions ?? conc ?? cap ?? (rate is null && tracePath is null && !sweepGiven ? 8 : null),
            Sessions = sessions is not null ? new SessionPlan { MeanThinkSeconds = think } : null,
            MaxRequests = count ?? (sendTimes is not null ? sendTimes.Count : 100),
            MaxDuration = TimeSpan.FromSeconds(seconds),
            Warmup = warm,
            Seed = seed,
        };
        // A sweep's rate points may have no cap; its closed-loop points set their own concurrency.
        errors.AddRange((sweepGiven ? plan with { Concurrency = plan.Concurrency ?? 1 } : plan).Validate());
        SweepPlan? sweep = null;
        if (sweepRates is { } n)
        {
            sweep = new SweepPlan { Rates = n, SaturationConcurrency = satConc, Point = plan };
            errors.AddRange(sweep.Validate());
        }

        PredictSetup? predict = null;
        if (S(o.Predict) is { } predictSpec)
            predict = BenchPredict.Read(predictSpec, S(o.PredictModel), served, files, errors);
        else if (S(o.PredictModel) is not null)
            errors.Add("--predict-model applies to --predict; add --predict GPU:tp=N");

        if (errors.Any || baseUri is null || served is null || source is null)
            return null;

        var cost = price is null && watts is null ? null : new CostInputs
        {
            Price = price is { } p ? MoneyRate.FromDollarsPerHour(p) : null,
            Power = watts is { } w ? Power.FromWatts(w) : null,
        };
        return new BenchSettings
        {
            Endpoint = new EndpointOptions
            {
                BaseUri = baseUri,
                Model = served,
                Api = apiKind,
                ApiKey = ApiKey(r, o),
            },
            Plan = plan,
            Source = source,
            Workload = workload,
            Sweep = sweep,
            Slo = slo,
            Cost = cost,
            Predict = predict,
            SharedPrefixTokens = prefix,
            RecordsPath = S(o.Records) ?? "bench-records.jsonl",
            CsvPath = S(o.Csv),
            Json = r.GetValue(o.Json),
            NoProgress = r.GetValue(o.NoProgress),
        };
    }

    /// <summary>--api-key, else $OPENAI_API_KEY as the OpenAI clients read it.</summary>
    public static string? ApiKey(ParseResult r, BenchOptions o) => r.GetValue(o.ApiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY");

    /// <summary>The server root of a --url, or null when it is not an absolute http(s) URL.</summary>
    public static Uri? BaseUri(string? url) =>
        url is not null && Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static TraceSource? ReadTrace(string path, int seed, InputErrors errors)
    {
        if (!File.Exists(path))
        {
            errors.Add($"--trace '{path}' does not exist; give a JSONL file with lines like {{\"arrival_seconds\": 0.5, \"input_tokens\": 812, \"output_tokens\": 120}}");
            return null;
        }

        try
        {
            using var reader = File.OpenText(path);
            var entries = TraceReplayWorkload.Parse(reader);
            if (entries.Count == 0)
            {
                errors.Add($"--trace '{path}' has no entries; add lines like {{\"arrival_seconds\": 0.5, \"input_tokens\": 812, \"output_tokens\": 120}}");
                return null;
            }

            return new TraceSource(entries, seed);
        }
        catch (FormatException e)
        {
            errors.Add($"--trace '{path}': {e.Message}");
            return null;
        }
    }

    private static ShareGptSource? ReadShareGpt(string path, int seed, InputErrors errors)
    {
        if (!File.Exists(path))
        {
            errors.Add($"--sharegpt '{path}' does not exist; give a ShareGPT-format JSON file (a JSON array of {{\"conversations\": [...]}})");
            return null;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return new ShareGptSource(ShareGptSource.Read(stream), seed);
        }
        catch (FormatException e)
        {
            errors.Add($"--sharegpt '{path}': {e.Message}");
            return null;
        }
    }

    private static T Invalid<T>(InputErrors errors, string message, T fallback)
    {
        errors.Add(message);
        return fallback;
    }
}
