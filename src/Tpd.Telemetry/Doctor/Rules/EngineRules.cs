using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>Serving-engine rules over two scrapes: KV pressure, front-end bottleneck, queue versus inference time, live rates.</summary>
internal static class EngineRules
{
    public static IEnumerable<Finding> Evaluate(EngineWindow w, IReadOnlyList<GpuSnapshot> gpus, DoctorOptions o)
    {
        var subject = $"engine ({w.Engine})";
        string Src(string field) => w.Sources.TryGetValue(field, out var n) ? n : field;
        string F(double v) => GpuContext.Fmt(v);

        foreach (var f in MetricsRules.Evaluate(w))
            yield return f;

        if (w.KvCacheUsage is { } kv && kv >= o.KvNearFull && w.Preemptions is > 0)
        {
            yield return new Finding
            {
                Id = "engine.kv.pressure",
                Severity = Severity.Warning,
                Subject = subject,
                Title = $"KV cache {F(kv * 100)} % full and {F(w.Preemptions.Value)} preemptions in {F(w.Window.Seconds)} s: too little KV memory",
                Evidence = [new(Src(nameof(EngineSnapshot.KvCacheUsage)), F(kv)), new(Src(nameof(EngineSnapshot.PreemptionsTotal)) + " (delta)", F(w.Preemptions.Value))],
                Fix = w.Engine switch
                {
                    ServingEngine.Sglang => "raise --mem-fraction-static, lower --max-running-requests, or use --kv-cache-dtype fp8_e5m2",
                    _ => "raise --gpu-memory-utilization (e.g. 0.95), use --kv-cache-dtype fp8, lower --max-num-seqs, or add tensor parallelism",
                },
                Note = "preempted requests are recomputed or swapped, so throughput is lost; the size of the loss depends on prompt lengths",
            };
        }

        var util = gpus.Select(g => g.GpuUtilizationPercent).OfType<double>().ToList();
        if (w.RequestsWaiting is > 0 && util.Count > 0 && util.Average() < o.LowGpuUtilizationPercent)
        {
            yield return new Finding
            {
                Id = "engine.frontend-bottleneck",
                Severity = Severity.Warning,
                Subject = subject,
                Title = $"{F(w.RequestsWaiting.Value)} requests wait while the GPUs are {F(util.Average())} % busy: the bottleneck is before the GPU",
                Evidence = [new(Src(nameof(EngineSnapshot.RequestsWaiting)), F(w.RequestsWaiting.Value)), new("utilization.gpu_util (mean)", $"{F(util.Average())} %"),
                    .. w.RequestsRunning is { } r ? [new Evidence(Src(nameof(EngineSnapshot.RequestsRunning)), F(r))] : Array.Empty<Evidence>()],
                Fix = "profile tokenization and request pre-processing (chat templates, images); raise the API server's workers (vLLM --api-server-count) and check --max-num-seqs / --max-num-batched-tokens",
            };
        }

        if (w.QueueShare is { } share && share >= o.QueueShareWarning && w.QueueTime is { } q && q.Count > 0)
        {
            yield return new Finding
            {
                Id = "engine.queue-dominates",
                Severity = Severity.Warning,
                Subject = subject,
                Title = $"requests spent {F(share * 100)} % of their time queued (mean {F(w.MeanQueueSeconds ?? 0)} s queued vs {F(w.MeanInferenceSeconds ?? 0)} s running)",
                Evidence =
                [
                    new(Src(nameof(EngineSnapshot.QueueTime)) + " sum/count (delta)", $"{F(q.Sum)} s / {F(q.Count)}"),
                    new((w.InferenceTimeDerived ? "e2e minus queue" : Src(nameof(EngineSnapshot.InferenceTime))) + " sum/count (delta)",
                        $"{F(w.InferenceTime!.Sum)} s / {F(w.InferenceTime.Count)}"),
                ],
                Fix = "demand exceeds capacity: add a replica, or raise --max-num-seqs if the KV cache has room",
                Note = "queueing costs latency, not tokens per dollar: a full queue means the GPU is already saturated",
            };
        }

        if (w.GenerationTokenRate is { } gen)
        {
            var ev = new List<Evidence> { new(Src(nameof(EngineSnapshot.GenerationTokensTotal)) + " rate", $"{F(gen.TokensPerSecond)} tokens/s") };
            if (w.PromptTokenRate is { } p)
                ev.Add(new(Src(nameof(EngineSnapshot.PromptTokensTotal)) + " rate", $"{F(p.TokensPerSecond)} tokens/s"));
            if (w.RequestsFinished is { } n)
                ev.Add(new("requests finished", F(n)));
            ev.Add(new("window", $"{F(w.Window.Seconds)} s"));
            yield return new Finding
            {
                Id = "engine.throughput",
                Severity = Severity.Info,
                Subject = subject,
                Title = $"live throughput {F(gen.TokensPerSecond)} generated tokens/s" + (w.PromptTokenRate is { } pr ? $", {F(pr.TokensPerSecond)} prompt tokens/s" : ""),
                Evidence = ev,
                Fix = "none needed; compare with `tpd estimate` for this GPU and model",
            };
        }

        if (w.CounterReset)
        {
            yield return new Finding
            {
                Id = "engine.restarted",
                Severity = Severity.Info,
                Subject = subject,
                Title = "a counter went down between the scrapes: the engine restarted, so rates count from the restart",
                Evidence = [new("window", $"{F(w.Window.Seconds)} s")],
                Fix = "check the engine's logs for the restart cause",
            };
        }
    }
}
