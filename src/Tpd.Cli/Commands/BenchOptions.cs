using System.CommandLine;

namespace Tpd.Cli.Commands;

/// <summary>The options of `tpd bench`, read as text and validated together (BenchInput) so one run reports every problem.</summary>
internal sealed class BenchOptions
{
    public Option<string> Url { get; } = new("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:8000 (the /v1/... paths are added)" };
    public Option<string> ServedModel { get; } = new("--served-model") { Description = "Model name the server serves (the request's \"model\" field) [default: the one model GET /v1/models lists]" };
    public Option<string> Api { get; } = new("--api") { Description = "completions (token-id prompts, exact lengths) or chat [default: completions; chat with --sessions]" };
    public Option<string> ApiKey { get; } = new("--api-key") { Description = "API key [default: $OPENAI_API_KEY when set]" };
    public Option<string> Input { get; } = new("--input") { Description = "Prompt tokens per request (per user message with --sessions) [default: 512]" };
    public Option<string> Output { get; } = new("--output") { Description = "Output tokens per request (max_tokens, with ignore_eos where supported) [default: 128]" };
    public Option<string> Concurrency { get; } = new("--concurrency") { Description = "Closed loop: requests in flight [default: 8 unless --rate, --trace or --sweep]" };
    public Option<string> Rate { get; } = new("--rate") { Description = "Open loop: requests per second" };
    public Option<string> MaxConcurrency { get; } = new("--max-concurrency") { Description = "With --rate, --trace or --sweep: the most requests in flight; a due request waits for a slot [default: no cap]" };
    public Option<string> Arrivals { get; } = new("--arrivals") { Description = "poisson, gamma or constant send times [default: poisson]" };
    public Option<string> Cv { get; } = new("--cv") { Description = "Coefficient of variation of gamma gaps (burstiness) [default: 1]" };
    public Option<string> Requests { get; } = new("--requests") { Description = "Requests to send (per sweep point), warm-up excluded [default: 100; a trace's length with --trace]" };
    public Option<string> Duration { get; } = new("--duration") { Description = "Stop after this many seconds (per sweep point) [default: 600]" };
    public Option<string> Warmup { get; } = new("--warmup") { Description = "Warm-up requests, excluded from statistics [default: 2]" };
    public Option<string> Seed { get; } = new("--seed") { Description = "Seed of prompts and send times [default: 1]" };
    public Option<string> Sweep { get; } = new("--sweep") { Description = "Sweep: synchronous, saturation, then N rates between; stops when over-saturated [default N: 5]", Arity = ArgumentArity.ZeroOrOne };
    public Option<string> SaturationConcurrency { get; } = new("--saturation-concurrency") { Description = "Requests in flight at the sweep's saturation point [default: 256]" };
    public Option<string> Trace { get; } = new("--trace") { Description = "Replay a JSONL trace (arrival_seconds, input_tokens, output_tokens, session_id), the format `tpd simulate` reads" };
    public Option<string> ShareGpt { get; } = new("--sharegpt") { Description = "Real prompts from a ShareGPT-format JSON file; max_tokens from each reply's length" };
    public Option<string> SharedPrefix { get; } = new("--shared-prefix") { Description = "Every prompt starts with the same N tokens (a system prompt) before its own --input tokens [default: 0]" };
    public Option<string> Sessions { get; } = new("--sessions") { Description = "Multi-turn chat: this many sessions in flight, each turn sending the history so far" };
    public Option<string> Turns { get; } = new("--turns") { Description = "Turns per session [default: 3]" };
    public Option<string> Think { get; } = new("--think") { Description = "Mean think time between turns in seconds, exponential [default: 1]" };
    public Option<string> Slo { get; } = new("--slo") { Description = "SLOs for goodput, e.g. \"ttft<=2s, tpot<=50ms\"" };
    public Option<string> Price { get; } = new("--price") { Description = "Server price in $/hour (all its GPUs): $/1M tokens" };
    public Option<string> Watts { get; } = new("--watts") { Description = "Server power in watts: joules per token" };
    public Option<string> Predict { get; } = new("--predict") { Description = "GPU and parallelism of the server, e.g. h100-sxm:tp=2: print predicted vs measured for every metric" };
    public Option<string> PredictModel { get; } = new("--predict-model", "--model") { Description = "Catalog model (or config.json) for --predict [default: --served-model, when the catalog knows it]" };
    public Option<string> Records { get; } = new("--records") { Description = "JSONL file of per-request records, written as requests finish [default: bench-records.jsonl]" };
    public Option<string> Csv { get; } = new("--csv") { Description = "Write one CSV row per run (per sweep point) with every summary figure" };
    public Option<bool> NoProgress { get; } = new("--no-progress") { Description = "No live status line (it shows only when stderr is a terminal anyway)" };
    public Option<bool> Json { get; } = new("--json") { Description = "Write the summary as JSON" };

    public IEnumerable<Option> All =>
    [
        Url, ServedModel, Api, ApiKey, Input, Output, Concurrency, Rate, MaxConcurrency, Arrivals, Cv, Requests, Duration, Warmup, Seed,
        Sweep, SaturationConcurrency, Trace, ShareGpt, SharedPrefix, Sessions, Turns, Think, Slo, Price, Watts, Predict, PredictModel,
        Records, Csv, NoProgress, Json,
    ];
}
