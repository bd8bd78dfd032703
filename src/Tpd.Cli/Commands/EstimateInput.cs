using System.CommandLine;
using Tpd.Cli.Input;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Units;
using Tpd.Model.Cost;
using Tpd.Model.Estimate;
using Tpd.Model.Serving;

namespace Tpd.Cli.Commands;

/// <summary>Turns `tpd estimate` options into an <see cref="EstimateRequest"/>, reporting every problem at once.</summary>
internal static class EstimateInput
{
    public static EstimateRequest? Read(ParseResult r, EstimateOptions o, IFiles files, InputErrors errors)
    {
        string? S(Option<string> opt) => r.GetValue(opt);

        var catalog = CatalogInput.Gpus(S(o.Catalog), files, errors);
        var gpu = CatalogInput.Gpu(catalog, S(o.Gpu) ?? EstimateOptions.DefaultGpu, errors);
        var model = CatalogInput.Model(S(o.Model) ?? EstimateOptions.DefaultModel, files, errors);

        var tp = errors.Int("--tp", S(o.Tp), 1, 1024, "use 1, 2, 4 or 8 (GPUs sharing each layer)") ?? 1;
        var pp = errors.Int("--pp", S(o.Pp), 1, 256, "use 1 unless the model does not fit one node") ?? 1;
        WeightFormat? weights = null;
        if (S(o.Weights) is { } wText)
        {
            if (WeightFormat.TryParse(wText, out var wf)) weights = wf;
            else errors.Add($"--weights '{wText}' is not a weight format; use one of {string.Join(", ", WeightFormat.Names)}");
        }

        var kv = KvFormat.Bf16;
        if (S(o.Kv) is { } kText && !KvFormats.TryParse(kText, out kv))
            errors.Add($"--kv '{kText}' is not a KV-cache data type; use one of {string.Join(", ", KvFormats.Names)}");

        var ideal = r.GetValue(o.Ideal);
        var efficiency = ideal ? Efficiency.Ideal : Efficiency.Default;
        var mfu = errors.Double("--mfu", S(o.Mfu), 0.01, 1, "use a fraction such as 0.5");
        var mbu = errors.Double("--mbu", S(o.Mbu), 0.01, 1, "use a fraction such as 0.7");
        var overheadMs = errors.Double("--step-overhead-ms", S(o.StepOverheadMs), 0, 1000, "use milliseconds such as 1");
        if (ideal && (mfu is not null || mbu is not null || overheadMs is not null))
            errors.Add("--ideal sets MFU and MBU to 1 and overheads to 0; drop --mfu, --mbu and --step-overhead-ms or drop --ideal");
        efficiency = efficiency with
        {
            Mfu = mfu ?? efficiency.Mfu,
            Mbu = mbu ?? efficiency.Mbu,
            StepOverhead = overheadMs is { } ms ? Duration.FromMilliseconds(ms) : efficiency.StepOverhead,
        };

        var serving = new ServingConfig
        {
            TensorParallel = tp,
            PipelineParallel = pp,
            Weights = weights,
            Kv = kv,
            GpuMemoryUtilization = errors.Double("--gpu-memory-utilization", S(o.GpuMemoryUtilization), 0.05, 1, "use a fraction such as 0.9") ?? 0.90,
            BlockSize = errors.Int("--block-size", S(o.BlockSize), 1, 1024, "use 16 (vLLM) or 32, 64") ?? 16,
            MaxNumSeqs = errors.Int("--max-num-seqs", S(o.MaxNumSeqs), 1, 1_000_000, "use e.g. 256"),
            MaxBatchedTokens = errors.Int("--max-num-batched-tokens", S(o.MaxBatchedTokens), 1, 10_000_000, "use e.g. 8192"),
        };

        var context = errors.Int("--context", S(o.Context), 1, 100_000_000, "use tokens per sequence such as 200000");
        var workload = new Workload
        {
            // With --context, a new user's prompt is that whole context unless --input says otherwise.
            InputTokens = errors.Int("--input", S(o.Input), 1, 10_000_000, "use prompt tokens such as 1024") ?? context ?? 1024,
            OutputTokens = errors.Int("--output", S(o.Output), 1, 10_000_000, "use generated tokens such as 256") ?? 256,
            ContextTokens = context,
            Batch = errors.Int("--batch", S(o.Batch), 1, 10_000_000, "use concurrent sequences, or omit for the largest batch that fits"),
            DutyCycle = errors.Double("--duty-cycle", S(o.DutyCycle), 0.0001, 1, "use a fraction such as 0.2 (users idle 80% of the time)") ?? 0.2,
            Users = errors.Int("--users", S(o.Users), 1, int.MaxValue, "use a number of users such as 300"),
        };

        var watts = errors.Double("--watts", S(o.Watts), 1, 100_000, "use watts per GPU such as 700") is { } wv ? Power.FromWatts(wv) : (Power?)null;
        var price = ReadPrice(r, o, gpu, watts, errors);
        var memory = errors.Size("--gpu-memory", S(o.GpuMemory));

        if (gpu is null || model is null || errors.Any)
            return null;

        var request = new EstimateRequest
        {
            Model = model,
            Gpu = gpu,
            Serving = serving,
            Efficiency = efficiency,
            Workload = workload,
            Price = price,
            WattsPerGpu = watts,
            MemoryPerGpu = memory,
        };
        errors.AddRange(request.Validate());
        return errors.Any ? null : request;
    }

    private static PriceSpec? ReadPrice(ParseResult r, EstimateOptions o, GpuSpec? gpu, Power? watts, InputErrors errors)
    {
        string? S(Option<string> opt) => r.GetValue(opt);
        var given = new[] { S(o.Price) is not null, S(o.Tier) is not null, S(o.Capex) is not null }.Count(x => x);
        if (given > 1)
        {
            errors.Add("give only one of --price, --tier and --capex");
            return null;
        }

        if (S(o.Price) is { } p)
            return errors.Double("--price", p, 0, 10_000, "use dollars per GPU-hour such as 2.49") is { } d
                ? new RentedPrice(MoneyRate.FromDollarsPerHour(d), "--price")
                : null;

        if (S(o.Tier) is { } tier)
        {
            if (gpu is null)
                return null;
            try
            {
                return new RentedPrice(gpu.PriceFor(tier), $"catalog {PriceTierResolver.Resolve(tier)} tier");
            }
            catch (CatalogLookupException e)
            {
                errors.Add("--tier: " + e.Message);
                return null;
            }
        }

        if (S(o.Capex) is { } capexText)
        {
            var capex = errors.Double("--capex", capexText, 1, 10_000_000, "use dollars per GPU such as 30000");
            var years = errors.Double("--lifetime-years", S(o.LifetimeYears), 0.1, 30, "use years such as 4") ?? 4;
            var kwh = errors.Double("--kwh-price", S(o.KwhPrice), 0, 10, "use dollars per kWh such as 0.10") ?? 0.10;
            var pue = errors.Double("--pue", S(o.Pue), 1, 3, "use 1.1 to 1.5") ?? 1.3;
            if (capex is null || gpu is null)
                return null;
            return new OwnedPrice(Money.FromDollars(capex.Value), Duration.FromHours(years * 8760), watts ?? gpu.AllInPower ?? gpu.Tdp, pue, EnergyPrice.FromDollarsPerKilowattHour(kwh));
        }

        foreach (var (opt, name) in new[] { (o.LifetimeYears, "--lifetime-years"), (o.KwhPrice, "--kwh-price"), (o.Pue, "--pue") })
        {
            if (S(opt) is not null)
                errors.Add($"{name} applies to owned hardware; add --capex DOLLARS_PER_GPU");
        }

        return null;
    }
}
