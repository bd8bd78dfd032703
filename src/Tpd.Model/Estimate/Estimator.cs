using Tpd.Core.Units;
using Tpd.Model.Cost;
using Tpd.Model.Replicas;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Estimate;

/// <summary>`tpd estimate`: napkin math done right for one model on one serving setup.</summary>
public static class Estimator
{
    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid input; check <see cref="EstimateRequest.Validate"/> first to report them yourself.</summary>
    public static EstimateResult Estimate(EstimateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        if (errors.Count > 0)
            throw new ArgumentException(string.Join("; ", errors), nameof(request));

        var w = request.Workload;
        // Fitting means holding one sequence of the full context, not just one KV block.
        var replica = new ReplicaBuilder(request.Model).Assemble(request.Replica, w.FullContext);
        var profile = replica.Profile;
        var memory = replica.Memory;
        // Ideal mode has no engine limit on sequences unless one is given.
        var maxNumSeqs = request.Efficiency.IsIdeal && request.Serving.MaxNumSeqs is null ? int.MaxValue : profile.MaxNumSeqs;
        var kvAtFull = replica.Fits ? memory.SequencesAt(profile, w.FullContext) : 0;
        var maxConcurrent = Math.Min(kvAtFull, maxNumSeqs);
        var gpus = request.Serving.GpusPerReplica;

        var result = new EstimateResult
        {
            Request = request,
            Profile = profile,
            Memory = memory,
            Parameters = profile.Parameters,
            WeightFormat = profile.WeightFormat,
            KvFormat = request.Serving.Kv,
            KvBytesPerToken = profile.Shape.Kv.BytesPerToken(request.Serving.Kv, 1),
            KvBytesPerTokenPerGpu = profile.KvBytesPerToken,
            KvBytesPerSequence = MemoryBudget.BytesPerSequence(profile, w.FullContext) * gpus,
            MaxConcurrentSequences = maxConcurrent,
            KvLimitedSequences = kvAtFull,
            MaxNumSeqs = maxNumSeqs,
            Advice = [],
        };

        if (replica is not AssembledReplica assembled)
        {
            var deficit = (ReplicaDeficit)replica;
            return result with { Advice = [deficit.Message, .. deficit.Advice] };
        }

        var model = assembled.StepModel;
        var steadyLimit = Math.Min(memory.SequencesAt(profile, w.MeanDecodeContext), maxNumSeqs);
        var batch = w.Batch ?? (int)Math.Clamp(w.ContextTokens is null ? steadyLimit : maxConcurrent, 1, int.MaxValue);
        var point = SteadyState.At(model, memory, w, batch);
        var single = SteadyState.At(model, memory, w, 1);
        var roofline = Explain(model, point, w);
        var cost = Price(request, point, maxConcurrent);
        result = result with { Point = point, Single = single, Roofline = roofline, Cost = cost };
        return result with { Advice = Advisor.WhenFitting(result) };
    }

    /// <summary>
    /// The smallest decode batch at which the step turns compute-bound at the workload's mean context, by
    /// bisection on the roofline itself (so MoE expert reads and KV traffic are included); null when KV reads
    /// grow as fast as compute and it never does.
    /// </summary>
    public static int? CriticalBatchSize(RooflineStepModel model, double context)
    {
        bool ComputeBound(int b)
        {
            var s = model.Analyze(StepShape.Decode(b, context));
            return s.ComputeBoundTime * 2 > s.KernelTime;
        }

        const int limit = 1 << 22;
        if (!ComputeBound(limit))
            return null;
        int lo = 1, hi = limit;
        if (ComputeBound(lo))
            return 1;
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (ComputeBound(mid)) hi = mid; else lo = mid;
        }

        return hi;
    }

    private static RooflineFacts Explain(RooflineStepModel model, OperatingPoint point, Workload w)
    {
        var p = model.Profile;
        var balance = p.Peak / p.Gpu.MemoryBandwidth;
        var effective = p.EffectiveFlopRate / p.EffectiveBandwidth;
        var critical = CriticalBatchSize(model, w.MeanDecodeContext);
        var s = point.Step;
        var why = s.Bound switch
        {
            Bound.Memory => $"memory-bound: the step streams {s.WeightBytes.GB:0.##} GB of weights and {s.KvBytes.GB:0.##} GB of KV per GPU at {p.Gpu.MemoryBandwidth.TBps:0.##} TB/s; {s.ArithmeticIntensity:0} FLOP/byte is below the machine balance of {balance:0}",
            Bound.Compute => $"compute-bound: {s.Flops.Teraflops:0.#} TFLOP per GPU per step at {p.Peak.Teraflops:0} TFLOP/s {p.ComputeType.ToString().ToUpperInvariant()} dense" +
                (point.Step.LinearFlops.Flops > 0 && w.ContextTokens is null ? $"; {PromptShare(point, w):P0} of the tokens in an average step are prompt tokens (chunked prefill)" : ""),
            Bound.Communication => $"communication-bound: {p.Serving.TensorParallel}-way all-reduces over {p.Gpu.ScaleUpLink} take {s.CommunicationTime.Milliseconds:0.##} ms of a {s.Total.Milliseconds:0.##} ms step",
            _ => $"overhead-bound: fixed engine costs ({s.OverheadTime.Milliseconds:0.##} ms) exceed the kernels ({Duration.Max(s.ComputeTime, s.MemoryTime).Milliseconds:0.##} ms)",
        };
        return new RooflineFacts(s.ArithmeticIntensity, balance, effective, critical, s.Bound, why);
    }

    private static double PromptShare(OperatingPoint point, Workload w)
    {
        var prompt = point.Batch / (double)w.OutputTokens * w.InputTokens;
        return prompt / (prompt + point.Batch);
    }

    private static CostFacts Price(EstimateRequest r, OperatingPoint point, long maxConcurrent)
    {
        var price = r.ResolvedPrice;
        var gpus = r.Serving.GpusPerReplica;
        var perReplica = price.PerGpu * gpus;
        var power = (r.WattsPerGpu ?? (price is OwnedPrice o ? o.Watts : r.Gpu.Tdp)) * gpus;
        var outRate = point.OutputRate;
        var total = point.TotalRate;
        var share = point.PrefillShare;
        double PerMillion(double dollarsPerSecond, double tokensPerSecond) =>
            tokensPerSecond > 0 ? dollarsPerSecond / tokensPerSecond * 1e6 : double.NaN;

        var usersServed = r.Workload.ContextTokens is null
            ? point.Batch / r.Workload.DutyCycle
            : maxConcurrent / r.Workload.DutyCycle;
        var usersPriced = r.Workload.Users ?? (int)Math.Max(1, Math.Floor(usersServed));
        var perUserHour = perReplica.DollarsPerHour / usersPriced;
        return new CostFacts(
            price.Description,
            price.PerGpu,
            perReplica,
            perReplica.DollarsPerMillion(outRate),
            perReplica.DollarsPerMillion(total),
            PerMillion(perReplica.DollarsPerSecond * share, point.InputRate.TokensPerSecond),
            PerMillion(perReplica.DollarsPerSecond * (1 - share), outRate.TokensPerSecond),
            power,
            outRate.TokensPerSecond / power.Watts,
            total.TokensPerSecond / power.Watts,
            r.Workload.DutyCycle,
            usersServed,
            usersPriced,
            perUserHour,
            perUserHour * Duration.Month.Hours);
    }
}
