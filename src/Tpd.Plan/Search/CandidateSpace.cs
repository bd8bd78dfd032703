using System.Globalization;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Measurement;
using Tpd.Model.Estimate;
using Tpd.Model.Replicas;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Plan.Request;
using Tpd.Simulation.Engine;

namespace Tpd.Plan.Search;

/// <summary>A candidate that passed the analytic screens, with its assembled replica and engine, which the capacity search reuses.</summary>
internal sealed record ViableCandidate(int Index, Candidate Candidate, AssembledReplica Replica, EngineOptions Engine)
{
    public RooflineStepModel StepModel => Replica.StepModel;

    public MemoryBudget Memory => Replica.Memory;
}

/// <summary>
/// Enumerates GPU type x TP x weight format x KV format x max_num_seqs and drops, with a reason, what cannot fit or
/// cannot meet a latency objective even serving one request alone (the analytic screens are exact lower bounds of
/// the simulator's latencies at that setup, so nothing that could pass is dropped).
/// </summary>
internal static class CandidateSpace
{
    public static IReadOnlyList<Candidate> Enumerate(PlanRequest request)
    {
        var gpus = request.Gpus ?? GpuCatalog.Default.All.Where(g => g.Prices.ContainsKey(request.PriceTier)).ToList();
        var list = new List<Candidate>();
        foreach (var gpu in gpus)
        {
            foreach (var tp in request.TensorParallel.Distinct().Order())
            {
                if (tp > gpu.ScaleUpDomain || new ServingConfig { TensorParallel = tp }.SplitErrors(request.Model).Count > 0)
                    continue;
                foreach (var weights in WeightsFor(request, gpu))
                {
                    foreach (var kv in request.KvFormats.Distinct())
                    {
                        foreach (var seqs in request.MaxNumSeqs.Distinct())
                        {
                            var serving = new ServingConfig
                            {
                                TensorParallel = tp,
                                Weights = weights,
                                Kv = kv,
                                MaxNumSeqs = seqs,
                                // vLLM refuses a token budget below max_num_seqs: raise the default budget to it.
                                MaxBatchedTokens = seqs is { } s ? Math.Max(s, VllmDefaults.MaxBatchedTokens(gpu)) : null,
                            };
                            var price = gpu.Prices.TryGetValue(request.PriceTier, out var p) ? p : default;
                            list.Add(new Candidate(gpu, serving, price, request.QualityOf(weights)));
                        }
                    }
                }
            }
        }

        return list;
    }

    /// <summary>Applies the price, memory and batch-1 latency screens; keeps candidate order.</summary>
    public static (List<ViableCandidate> Viable, List<PrunedCandidate> Pruned) Screen(PlanRequest request, IReadOnlyList<Candidate> candidates, TrafficShape traffic)
    {
        var viable = new List<ViableCandidate>();
        var pruned = new List<PrunedCandidate>();
        var workload = traffic.AsWorkload();
        var tpotLimit = Limit(request.Slo, LatencyMetric.Tpot);
        var ttftLimit = Limit(request.Slo, LatencyMetric.Ttft);
        var builder = new ReplicaBuilder(request.Model);
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (!c.Gpu.Prices.ContainsKey(request.PriceTier))
            {
                pruned.Add(new(c, PruneReason.NoPrice, $"{c.Gpu.Id} has no '{request.PriceTier}' price in the catalog; it has {string.Join(", ", c.Gpu.Prices.Keys)}"));
                continue;
            }

            var assembly = builder.Build(new ReplicaSetup { Gpu = c.Gpu, Serving = c.Serving, Efficiency = request.Efficiency });
            if (assembly is ReplicaDeficit deficit)
            {
                pruned.Add(new(c, PruneReason.DoesNotFit, deficit.Message));
                continue;
            }

            var replica = (AssembledReplica)assembly;
            var alone = SteadyState.At(replica.StepModel, replica.Memory, workload, 1);
            if (tpotLimit is { } tpot && alone.DecodeOnlyStep > tpot)
            {
                pruned.Add(new(c, PruneReason.TpotAtBatchOne, Inv($"one sequence alone decodes at {alone.DecodeOnlyStep.Milliseconds:0.0} ms per token, above the TPOT objective of {tpot.Milliseconds:0.#} ms")));
                continue;
            }

            if (ttftLimit is { } ttft && alone.PrefillAlone > ttft)
            {
                pruned.Add(new(c, PruneReason.TtftAtBatchOne, Inv($"one mean prompt ({workload.InputTokens} uncached tokens) alone takes {alone.PrefillAlone.Milliseconds:0} ms to prefill, above the TTFT objective of {ttft.Seconds:0.###} s")));
                continue;
            }

            viable.Add(new ViableCandidate(i, c, replica, EngineOptions.For(replica)));
        }

        return (viable, pruned);
    }

    /// <summary>The tightest limit on a metric among the objectives (percentile and per-request), or null.</summary>
    internal static Core.Units.Duration? Limit(SloSpec slo, LatencyMetric metric)
    {
        var limits = slo.Percentiles.Where(p => p.Metric == metric).Select(p => p.Limit).ToList();
        var perRequest = metric switch { LatencyMetric.Ttft => slo.Ttft, LatencyMetric.Tpot => slo.Tpot, _ => null };
        if (perRequest is { } l)
            limits.Add(l);
        return limits.Count == 0 ? null : limits.Min();
    }

    private static IEnumerable<WeightFormat> WeightsFor(PlanRequest request, GpuSpec gpu)
    {
        if (request.WeightFormats is { } given)
            return given.Distinct();
        // nvfp4 only where FP4 tensor cores exist: elsewhere vLLM dequantizes it (Marlin) and int4 does the same job.
        // fp8 only where it can run: FP8 tensor cores, or NVIDIA sm80+ where vLLM serves fp8 weight-only through
        // Marlin; Turing and Volta (T4, V100) have no fp8 path.
        var formats = new List<WeightFormat> { WeightFormat.Bf16 };
        if (CanServeFp8(gpu))
            formats.Add(WeightFormat.Fp8);
        formats.Add(WeightFormat.Int4());
        if (gpu.DensePeak.ContainsKey(ComputeType.Fp4))
            formats.Add(WeightFormat.Nvfp4);
        return formats;
    }

    private static bool CanServeFp8(GpuSpec gpu) =>
        gpu.DensePeak.ContainsKey(ComputeType.Fp8) ||
        (double.TryParse(gpu.ComputeCapability, NumberStyles.Float, CultureInfo.InvariantCulture, out var cc) && cc >= 8.0);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
