using System.Globalization;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Measurement;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Serving;
using Tpd.Simulation.Workloads;

namespace Tpd.Plan.Request;

/// <summary>
/// What to plan for: a model, a demand, SLOs and the space of serving setups to search. Defaults are the README's
/// main job (a chat product across the catalog's GPUs); docs/plan.md gives each default's reason.
/// </summary>
public sealed record PlanRequest
{
    /// <summary>Default SLOs: p90 TTFT &lt;= 2 s (a chat reply starts within two seconds for nine users in ten) and p90 TPOT &lt;= 50 ms (20 tokens/s, faster than reading speed).</summary>
    public static SloSpec DefaultSlo { get; } = SloSpec.Parse("p90 ttft<=2s, p90 tpot<=50ms");

    public required ModelArchitecture Model { get; init; }

    public required PlanDemand Demand { get; init; }

    /// <summary>Traffic shape: chat, rag, batch or agentic.</summary>
    public WorkloadPreset Preset { get; init; } = WorkloadPreset.Chat;

    /// <summary>Objectives every candidate must meet at its capacity. Percentile objectives are judged on the run; per-request limits need <see cref="MinAttainment"/> of requests to meet them.</summary>
    public SloSpec Slo { get; init; } = DefaultSlo;

    /// <summary>Share of requests that must meet the per-request limits of <see cref="Slo"/> (when it has any).</summary>
    public double MinAttainment { get; init; } = 0.9;

    /// <summary>GPU types to search; null: every catalog GPU with a price in <see cref="PriceTier"/>.</summary>
    public IReadOnlyList<GpuSpec>? Gpus { get; init; }

    /// <summary>Tensor-parallel degrees to try, each kept only within the GPU's scale-up domain and where the model's heads divide.</summary>
    public IReadOnlyList<int> TensorParallel { get; init; } = [1, 2, 4, 8];

    /// <summary>Weight formats; null: bf16, fp8, int4 (g128) on every GPU and nvfp4 on GPUs with FP4 tensor cores.</summary>
    public IReadOnlyList<WeightFormat>? WeightFormats { get; init; }

    public IReadOnlyList<KvFormat> KvFormats { get; init; } = [KvFormat.Bf16, KvFormat.Fp8];

    /// <summary>max_num_seqs choices; null stands for vLLM's default on that GPU (<see cref="VllmDefaults"/>).</summary>
    public IReadOnlyList<int?> MaxNumSeqs { get; init; } = [null];

    /// <summary>Price tier of <see cref="GpuSpec.Prices"/> (<see cref="Core.Catalog.PriceTier"/>).</summary>
    public string PriceTier { get; init; } = Core.Catalog.PriceTier.OnDemand;

    /// <summary>
    /// Quality of each weight format relative to bf16 (1.0 when absent). Costs used for ranking are divided by it, so
    /// int4 at 0.97 must be more than 3% cheaper to win.
    /// </summary>
    public IReadOnlyDictionary<WeightKind, double> QualityWeights { get; init; } = new Dictionary<WeightKind, double>();

    public Efficiency Efficiency { get; init; } = Efficiency.Default;

    /// <summary>Simulated time of arrivals per capacity trial (one replica).</summary>
    public Duration Horizon { get; init; } = Duration.FromSeconds(180);

    /// <summary>Requests sent before this are warm-up (the population ramps up, caches fill) and excluded from the SLO check.</summary>
    public Duration Warmup { get; init; } = Duration.FromSeconds(60);

    /// <summary>Seed of every trial: same request, same plan.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Simulations per candidate in the bisection (after the bracket is found).</summary>
    public int BisectionSteps { get; init; } = 8;

    /// <summary>
    /// The cheapest configurations whose one replica carried the whole demand get their true capacity searched on,
    /// up to <see cref="HeadroomCeiling"/> x the demand, so their headroom is a figure rather than "at least 0%".
    /// 0 turns it off (the search then stops at the demand for every candidate).
    /// </summary>
    public int RefineTop { get; init; } = 10;

    /// <summary>Highest load, as a multiple of the demand, the headroom search tries; capacity beyond it is reported as at least this.</summary>
    public double HeadroomCeiling { get; init; } = 4;

    /// <summary>Worker threads; null: every core.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    public double QualityOf(WeightFormat format) => QualityWeights.TryGetValue(format.Kind, out var q) ? q : 1.0;

    /// <summary>Every problem at once, each quoting the bad value, what is allowed and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (Preset is null)
            e.Add($"the workload preset is missing; use one of {string.Join(", ", WorkloadPreset.Names)}");
        switch (Demand.Kind)
        {
            case DemandKind.Users:
                if (!(Demand.Value >= 1 && Demand.Value <= 1e9 && Demand.Value == Math.Floor(Demand.Value)))
                    e.Add(Inv($"users {Demand.Value} is out of range; use a whole number from 1 to 1,000,000,000, e.g. 1000"));
                if (Preset is { HasUsers: false })
                    e.Add($"a demand in users applies to the chat and agentic presets; '{Preset}' takes a rate (requests/s) or tokens/day");
                break;
            case DemandKind.Rate:
                if (!(Demand.Value > 0 && Demand.Value <= 1e7))
                    e.Add(Inv($"rate {Demand.Value}/s is out of range; use more than 0 and at most 10,000,000 per second, e.g. 5"));
                break;
            default:
                if (!(Demand.Value > 0 && Demand.Value <= 1e15))
                    e.Add(Inv($"tokens/day {Demand.Value} is out of range; use more than 0 and at most 1e15, e.g. 1e9"));
                break;
        }

        if (Slo is null || (Slo.Percentiles.Count == 0 && !Slo.HasPerRequestLimits))
            e.Add("no SLO to plan for; give at least one, e.g. 'p90 ttft<=2s, p90 tpot<=50ms'");
        if (!(MinAttainment > 0 && MinAttainment <= 1))
            e.Add(Inv($"minimum attainment {MinAttainment} is out of range; use a fraction in (0, 1], e.g. 0.9"));
        if (Gpus is { Count: 0 })
            e.Add("the GPU list is empty; name at least one GPU (tpd catalog gpus) or leave it out for all of them");
        if (TensorParallel is null || TensorParallel.Count == 0 || TensorParallel.Any(t => t is < 1 or > 1024))
            e.Add($"tensor-parallel degrees [{string.Join(", ", TensorParallel ?? [])}] are invalid; give one or more of 1 to 1024, e.g. 1, 2, 4, 8");
        if (WeightFormats is { Count: 0 })
            e.Add("the weight format list is empty; give at least one of bf16, fp8, int4, nvfp4, or leave it out");
        if (KvFormats is null || KvFormats.Count == 0)
            e.Add("the KV format list is empty; give at least one of bf16, fp8");
        if (MaxNumSeqs is null || MaxNumSeqs.Count == 0 || MaxNumSeqs.Any(s => s is < 1 or > 65_536))
            e.Add($"max_num_seqs choices [{string.Join(", ", (MaxNumSeqs ?? []).Select(s => s?.ToString(CultureInfo.InvariantCulture) ?? "default"))}] are invalid; give 1 to 65,536 each, or the vLLM default");
        if (!Core.Catalog.PriceTier.All.Contains(PriceTier))
            e.Add($"price tier '{PriceTier}' is unknown; use one of {string.Join(", ", Core.Catalog.PriceTier.All)}");
        foreach (var (kind, q) in QualityWeights ?? new Dictionary<WeightKind, double>())
        {
            if (!(q > 0 && q <= 1))
                e.Add(Inv($"quality weight {q} for {kind.ToString().ToLowerInvariant()} is out of range; use a fraction in (0, 1], e.g. 0.97 for int4"));
        }

        if (!(Horizon.Seconds >= 10 && Horizon.Seconds <= 86_400))
            e.Add(Inv($"horizon {Horizon.Seconds} s is out of range; use 10 to 86,400 simulated seconds, e.g. 180"));
        if (!(Warmup.Seconds >= 0 && Warmup < Horizon))
            e.Add(Inv($"warm-up {Warmup.Seconds} s must be at least 0 and shorter than the horizon ({Horizon.Seconds} s)"));
        if (BisectionSteps is < 1 or > 40)
            e.Add($"bisection steps {BisectionSteps} is out of range; use 1 to 40 (8 gives about 0.4% of the bracket)");
        if (RefineTop is < 0 or > 1_000)
            e.Add($"refine-top {RefineTop} is out of range; use 0 (off) to 1,000, e.g. 10");
        if (!(HeadroomCeiling > 1 && HeadroomCeiling <= 100))
            e.Add(Inv($"headroom ceiling {HeadroomCeiling} x demand is out of range; use more than 1 and at most 100, e.g. 4"));
        if (MaxDegreeOfParallelism is < 1)
            e.Add($"parallelism {MaxDegreeOfParallelism} must be at least 1, or left out for every core");
        e.AddRange(Efficiency?.Validate() ?? ["efficiency is missing"]);
        return e;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
