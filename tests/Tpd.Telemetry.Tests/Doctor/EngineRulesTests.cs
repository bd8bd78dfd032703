using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Prometheus;
using Tpd.Telemetry.Tests.NvidiaSmi;

namespace Tpd.Telemetry.Tests.Doctor;

public class EngineRulesTests
{
    private static EngineWindow Window(
        double kv = 0.5, double preemptions = 0, double waiting = 0, double queueSum = 1, double inferenceSum = 9, double count = 10) => new()
        {
            Engine = ServingEngine.Vllm,
            Window = Duration.FromSeconds(30),
            KvCacheUsage = kv,
            Preemptions = preemptions,
            RequestsWaiting = waiting,
            RequestsRunning = 8,
            QueueTime = new HistogramTotals(queueSum, count, []),
            InferenceTime = new HistogramTotals(inferenceSum, count, []),
            GenerationTokenRate = TokenRate.FromTokensPerSecond(1200),
            PromptTokenRate = TokenRate.FromTokensPerSecond(3000),
            RequestsFinished = count,
            Sources = new Dictionary<string, string>
            {
                ["KvCacheUsage"] = "vllm:kv_cache_usage_perc",
                ["PreemptionsTotal"] = "vllm:num_preemptions_total",
                ["RequestsWaiting"] = "vllm:num_requests_waiting",
            },
        };

    private static IReadOnlyList<GpuSnapshot> Busy => SmiFixtures.Report("telegraf_rtx-3080-v13.xml").Gpus; // 65 %
    private static IReadOnlyList<GpuSnapshot> Idle => SmiFixtures.Report("telegraf_rtx-3060-v12.xml").Gpus; // 0 %

    private static List<Finding> Run(EngineWindow w, IReadOnlyList<GpuSnapshot> gpus) =>
        DoctorRules.Evaluate(new DoctorInput { Gpus = gpus, Engine = w }).Findings.Where(f => f.Id.StartsWith("engine.", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Full_kv_cache_with_preemptions_warns()
    {
        var f = Run(Window(kv: 0.99, preemptions: 4), Busy).Single(x => x.Id == "engine.kv.pressure");
        f.Evidence.ShouldContain(new Evidence("vllm:kv_cache_usage_perc", "0.99"));
        f.Evidence.ShouldContain(new Evidence("vllm:num_preemptions_total (delta)", "4"));
        f.Fix.ShouldContain("--gpu-memory-utilization");
    }

    [Fact]
    public void Full_kv_cache_without_preemptions_is_silent()
    {
        Run(Window(kv: 0.99, preemptions: 0), Busy).ShouldNotContain(x => x.Id == "engine.kv.pressure");
        Run(Window(kv: 0.80, preemptions: 9), Busy).ShouldNotContain(x => x.Id == "engine.kv.pressure");
    }

    [Fact]
    public void Waiting_requests_with_idle_gpus_point_at_the_front_end()
    {
        var f = Run(Window(waiting: 40), Idle).Single(x => x.Id == "engine.frontend-bottleneck");
        f.Title.ShouldBe("40 requests wait while the GPUs are 0 % busy: the bottleneck is before the GPU");
    }

    [Fact]
    public void Waiting_requests_with_busy_gpus_are_not_a_front_end_problem()
    {
        Run(Window(waiting: 40), Busy).ShouldNotContain(x => x.Id == "engine.frontend-bottleneck");
        Run(Window(waiting: 40), []).ShouldNotContain(x => x.Id == "engine.frontend-bottleneck");
    }

    [Fact]
    public void Queue_time_dominating_inference_time_warns_with_both_means()
    {
        var f = Run(Window(queueSum: 30, inferenceSum: 10, count: 10), Busy).Single(x => x.Id == "engine.queue-dominates");
        f.Title.ShouldBe("requests spent 75 % of their time queued (mean 3 s queued vs 1 s running)");
        Run(Window(queueSum: 1, inferenceSum: 9), Busy).ShouldNotContain(x => x.Id == "engine.queue-dominates");
    }

    [Fact]
    public void Live_throughput_is_reported_as_info()
    {
        var f = Run(Window(), Busy).Single(x => x.Id == "engine.throughput");
        f.Severity.ShouldBe(Severity.Info);
        f.Title.ShouldBe("live throughput 1200 generated tokens/s, 3000 prompt tokens/s");
    }

    [Fact]
    public void Sglang_kv_pressure_gets_sglang_flags()
    {
        var w = Window(kv: 0.97, preemptions: 2) with { Engine = ServingEngine.Sglang };
        Run(w, Busy).Single(x => x.Id == "engine.kv.pressure").Fix.ShouldContain("--mem-fraction-static");
    }
}
