using System.CommandLine;
using System.Globalization;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Plan;
using Tpd.Plan.Request;

namespace Tpd.Cli.Commands;

/// <summary>`tpd plan`: the cheapest configuration that serves a demand under SLOs, searched over the catalog.</summary>
internal static class PlanCommand
{
    public const string DefaultModel = "llama-3.1-8b";
    public const int DefaultUsers = 1000;

    public static Command Create(TextWriter stdout, TextWriter stderr, IFiles files)
    {
        var model = new Option<string>("--model", "-m") { Description = $"Model: catalog name, config.json path or custom:... [default: {DefaultModel}]" };
        var users = new Option<string>("--users") { Description = $"Demand: concurrent chat users (about 80% idle) [default: {DefaultUsers:N0}]" };
        var rate = new Option<string>("--rate") { Description = "Demand: requests (or sessions) per second of the preset instead of users" };
        var tokensPerDay = new Option<string>("--tokens-per-day") { Description = "Demand: output tokens per day instead of users" };
        var preset = new Option<string>("--preset") { Description = "Workload preset: chat, rag, batch, agentic [default: chat]" };
        var slo = new Option<string>("--slo") { Description = "SLOs at a percentile [default: \"p90 ttft<=2s, p90 tpot<=50ms\"]" };
        var gpus = new Option<string>("--gpus") { Description = "Comma-separated GPU ids to consider [default: every catalog GPU with a price]" };
        var tp = new Option<string>("--tp") { Description = "Tensor-parallel degrees to consider [default: 1,2,4,8]" };
        var weights = new Option<string>("--weights") { Description = "Weight formats to consider, e.g. bf16,fp8,int4 [default: bf16, fp8, int4, and nvfp4 on FP4 GPUs]" };
        var kv = new Option<string>("--kv") { Description = "KV formats to consider [default: bf16,fp8]" };
        var tier = new Option<string>("--tier") { Description = "Price tier: on-demand, hyperscaler-tco, neocloud-tco, rental-3y [default: on-demand]" };
        var quality = new Option<string>("--quality") { Description = "Quality weights per weight format, e.g. int4=0.97,fp8=0.995: cost is divided by them" };
        var catalog = new Option<string>("--catalog") { Description = "JSON file that adds GPUs or overrides figures and prices" };
        var seed = new Option<string>("--seed") { Description = "Seed of the simulations [default: 1]" };
        var top = new Option<string>("--top") { Description = "Configurations to show [default: 10]" };
        var csv = new Option<string>("--csv") { Description = "Also write every ranked configuration to this CSV file" };
        var json = new Option<bool>("--json") { Description = "Write the plan as JSON" };
        var command = new Command("plan", "Find the cheapest GPU, parallelism, data types and fleet size that serve a demand under SLOs, with the Pareto front of cost against speed.")
        {
            model, users, rate, tokensPerDay, preset, slo, gpus, tp, weights, kv, tier, quality, catalog, seed, top, csv, json,
        };

        command.SetAction((r, ct) =>
        {
            var errors = new InputErrors();
            var gpuCatalog = CatalogInput.Gpus(r.GetValue(catalog), files, errors);
            var arch = CatalogInput.Model(r.GetValue(model) ?? DefaultModel, files, errors);
            var demandCount = new[] { r.GetValue(users), r.GetValue(rate), r.GetValue(tokensPerDay) }.Count(x => x is not null);
            if (demandCount > 1)
                errors.Add("give one demand: --users, --rate or --tokens-per-day");
            var demand = PlanDemand.Users(errors.Int("--users", r.GetValue(users), 1, 100_000_000, "use concurrent users such as 1000") ?? DefaultUsers);
            if (r.GetValue(rate) is { } rt && errors.Double("--rate", rt, 0.0001, 1_000_000, "use requests per second such as 20") is { } rv)
                demand = PlanDemand.Rate(rv);
            if (r.GetValue(tokensPerDay) is { } td && errors.Double("--tokens-per-day", td, 1, 1e15, "use output tokens per day such as 5e9") is { } tv)
                demand = PlanDemand.TokensPerDay(tv);

            var request = new PlanRequest { Model = arch!, Demand = demand, Preset = PresetInput.Read(r.GetValue(preset), errors) };
            if (errors.Slo("--slo", r.GetValue(slo)) is { } sloSpec)
                request = request with { Slo = sloSpec };

            if (r.GetValue(gpus) is { } g)
            {
                var list = new List<GpuSpec>();
                foreach (var id in Split(g))
                {
                    if (CatalogInput.Gpu(gpuCatalog, id, errors) is { } spec)
                        list.Add(spec);
                }

                request = request with { Gpus = list };
            }
            else
            {
                request = request with { Gpus = gpuCatalog.All };
            }

            if (r.GetValue(tp) is { } tpText)
                request = request with { TensorParallel = Split(tpText).Select(t => errors.Int("--tp", t, 1, 1024, "use degrees such as 1,2,4,8") ?? 1).Distinct().ToList() };
            if (r.GetValue(weights) is { } wText)
            {
                var formats = new List<WeightFormat>();
                foreach (var w in Split(wText))
                {
                    if (WeightFormat.TryParse(w, out var f)) formats.Add(f);
                    else errors.Add($"--weights '{w}' is not a weight format; use {string.Join(", ", WeightFormat.Names)}");
                }

                request = request with { WeightFormats = formats };
            }

            if (r.GetValue(kv) is { } kText)
            {
                var formats = new List<KvFormat>();
                foreach (var k in Split(kText))
                {
                    if (KvFormats.TryParse(k, out var f)) formats.Add(f);
                    else errors.Add($"--kv '{k}' is not a KV format; use {string.Join(", ", KvFormats.Names)}");
                }

                request = request with { KvFormats = formats };
            }

            if (r.GetValue(tier) is { } tierText)
                request = request with { PriceTier = tierText };
            if (r.GetValue(quality) is { } qText)
                request = request with { QualityWeights = ParseQuality(qText, errors) };
            request = request with { Seed = errors.Int("--seed", r.GetValue(seed), 0, int.MaxValue, "use a whole number") ?? 1 };
            var topN = errors.Int("--top", r.GetValue(top), 1, 10_000, "use a number of rows such as 10") ?? 10;
            if (arch is null || errors.Any)
                return Task.FromResult(ErrorOutput.Write(stderr, errors.All));
            var invalid = request.Validate();
            if (invalid.Count > 0)
                return Task.FromResult(ErrorOutput.Write(stderr, invalid));

            var progress = new Progress<PlanProgress>(pr =>
            {
                if (pr.Done == pr.Total || pr.Done % 10 == 0)
                    stderr.WriteLine($"plan: {pr.Done}/{pr.Total} candidates evaluated ({pr.LastCandidate})");
            });
            var result = Planner.Run(request, progress, ct);
            if (r.GetValue(csv) is { } csvPath)
                PlanCsv.Write(csvPath, result);
            if (r.GetValue(json))
                PlanJson.Write(stdout, result);
            else
                PlanReport.Write(Consoles.For(stdout), result, topN);
            return Task.FromResult(result.Winner is null ? 1 : 0);
        });
        return command;
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Dictionary<WeightKind, double> ParseQuality(string text, InputErrors errors)
    {
        var result = new Dictionary<WeightKind, double>();
        foreach (var pair in Split(text))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && WeightFormat.TryParse(parts[0], out var f) &&
                double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var q) && q > 0 && q <= 1)
            {
                result[f.Kind] = q;
            }
            else
            {
                errors.Add($"--quality '{pair}' is not FORMAT=WEIGHT with a weight in (0, 1]; e.g. int4=0.97,fp8=0.995");
            }
        }

        return result;
    }
}
