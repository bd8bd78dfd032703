using System.CommandLine;

namespace Tpd.Cli.Commands;

/// <summary>
/// The options of `tpd estimate`. Values are read as text and validated together (EstimateInput), so one run
/// reports every problem with the value quoted and the fix.
/// </summary>
internal sealed class EstimateOptions
{
    public const string DefaultModel = "llama-3.1-8b";
    public const string DefaultGpu = "h100-sxm";

    public Option<string> Model { get; } = new("--model", "-m") { Description = $"Catalog model name, path to a config.json (or its folder), or custom:layers=..,hidden=..,heads=..,kv_heads=..,params=.. [default: {DefaultModel}]" };
    public Option<string> Gpu { get; } = new("--gpu", "-g") { Description = $"Catalog GPU id (see `tpd catalog gpus`) [default: {DefaultGpu}]" };
    public Option<string> Catalog { get; } = new("--catalog") { Description = "JSON file that adds GPUs or overrides catalog figures and prices" };
    public Option<string> Tp { get; } = new("--tp") { Description = "Tensor-parallel degree [default: 1]" };
    public Option<string> Pp { get; } = new("--pp") { Description = "Pipeline-parallel degree [default: 1]" };
    public Option<string> Weights { get; } = new("--weights") { Description = "Weight format: bf16, fp16, fp8, int8, int4 (= int4-g128), int4-gN, mxfp4, nvfp4 [default: the checkpoint's own]" };
    public Option<string> Kv { get; } = new("--kv") { Description = "KV-cache data type: bf16, fp16, fp8, fp32 [default: bf16]" };
    public Option<string> GpuMemoryUtilization { get; } = new("--gpu-memory-utilization") { Description = "Share of GPU memory the engine uses, as vLLM's flag [default: 0.9]" };
    public Option<string> GpuMemory { get; } = new("--gpu-memory") { Description = "Memory per GPU instead of the catalog's, e.g. 192GB" };
    public Option<string> BlockSize { get; } = new("--block-size") { Description = "KV block size in tokens [default: 16]" };
    public Option<string> MaxNumSeqs { get; } = new("--max-num-seqs") { Description = "Most sequences per step [default: vLLM's: 1024 on 70+ GiB GPUs other than A100, else 256]" };
    public Option<string> MaxBatchedTokens { get; } = new("--max-num-batched-tokens", "--max-batched-tokens") { Description = "Token budget per step, as vLLM's flag [default: vLLM's: 8192 on 70+ GiB GPUs other than A100, else 2048]" };
    public Option<string> Input { get; } = new("--input", "-i") { Description = "Prompt tokens per request [default: 1024]" };
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Generated tokens per request [default: 256]" };
    public Option<string> Context { get; } = new("--context") { Description = "Every sequence holds this many tokens; estimate pure decode at that context (the seed's 200k-token users); --input defaults to it" };
    public Option<string> Batch { get; } = new("--batch", "-b") { Description = "Concurrent sequences [default: the largest that fits]" };
    public Option<string> DutyCycle { get; } = new("--duty-cycle") { Description = "Share of a user's time spent generating [default: 0.2, users idle 80% of the time]" };
    public Option<string> Users { get; } = new("--users") { Description = "Users to price per user [default: the users served at the duty cycle]" };
    public Option<string> Price { get; } = new("--price") { Description = "Rental price in $ per GPU-hour [default: the catalog's on-demand tier]" };
    public Option<string> Tier { get; } = new("--tier") { Description = "Catalog price tier: on-demand, hyperscaler-tco, neocloud-tco, rental-3y" };
    public Option<string> Capex { get; } = new("--capex") { Description = "Owned hardware: purchase price in $ per GPU (with --lifetime-years, --kwh-price, --pue)" };
    public Option<string> LifetimeYears { get; } = new("--lifetime-years") { Description = "Owned hardware: depreciation period in years [default: 4]" };
    public Option<string> KwhPrice { get; } = new("--kwh-price") { Description = "Owned hardware: electricity in $ per kWh [default: 0.10]" };
    public Option<string> Pue { get; } = new("--pue") { Description = "Owned hardware: data-centre PUE [default: 1.3]" };
    public Option<string> Watts { get; } = new("--watts") { Description = "Power per GPU for tokens per joule and owned electricity [default: the GPU's TDP]" };
    public Option<string> Mfu { get; } = new("--mfu") { Description = "Model FLOPs utilisation of the compute term [default: 0.5]" };
    public Option<string> Mbu { get; } = new("--mbu") { Description = "Memory bandwidth utilisation of the memory term [default: 0.75]" };
    public Option<string> StepOverheadMs { get; } = new("--step-overhead-ms") { Description = "Fixed engine time per step in ms [default: 1]" };
    public Option<bool> Ideal { get; } = new("--ideal") { Description = "Napkin math: peak compute and bandwidth, no overheads, all of the label memory usable" };
    public Option<bool> Json { get; } = new("--json") { Description = "Write the estimate as JSON (snake_case fields with units in their names)" };

    public IEnumerable<Option> All =>
    [
        Model, Gpu, Catalog, Tp, Pp, Weights, Kv, GpuMemoryUtilization, GpuMemory, BlockSize, MaxNumSeqs, MaxBatchedTokens,
        Input, Output, Context, Batch, DutyCycle, Users, Price, Tier, Capex, LifetimeYears, KwhPrice, Pue, Watts,
        Mfu, Mbu, StepOverheadMs, Ideal, Json,
    ];
}
