using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Model.Estimate;
using Tpd.Model.Serving;

namespace Tpd.Model.Tests.Estimate;

/// <summary>The whole "does not fit" message and advice for real configurations, pinned as the estimator gave them before replica assembly moved into one place.</summary>
public class NotFittingAdviceTests
{
    [Fact]
    public void Llama_70b_on_one_h100_is_told_the_tp_and_the_formats_that_fit()
    {
        Advice("llama-3.1-70b", "h100-sxm").ShouldBe([
            "does not fit: weights (141.1 GB), activations (2.2 GB) and runtime reserve (1.6 GB) per GPU exceed the 77 GB budget (85.5 GB x 0.9) by 67.9 GB",
            "fits with --tp 2 (2 GPUs per replica)",
            "fits at --tp 1 with --weights fp8 or --weights nvfp4 or --weights int4-g128",
        ]);
    }

    [Fact]
    public void Llama_405b_on_h100_is_told_that_nothing_in_reach_fits()
    {
        Advice("llama-3.1-405b", "h100-sxm").ShouldBe([
            "does not fit: weights (811.7 GB), activations (3.6 GB) and runtime reserve (1.6 GB) per GPU exceed the 77 GB budget (85.5 GB x 0.9) by 740 GB",
            "no TP degree up to the scale-up domain or smaller data type fits; use a GPU with more memory or pipeline parallelism (--pp)",
        ]);
    }

    [Fact]
    public void A_context_longer_than_the_kv_pool_is_told_the_tp_that_holds_it()
    {
        Advice("llama-3.1-8b", "l4", workload: new Workload { ContextTokens = 1_000_000 }).ShouldBe([
            "does not fit: the 3.73 GB KV pool per GPU cannot hold one sequence of 1,000,000 tokens (131.07 GB per GPU)",
            "fits with --tp 8 (8 GPUs per replica)",
        ]);
    }

    [Fact]
    public void Qwen3_32b_on_an_rtx_4090_is_told_the_tp_and_the_four_bit_formats()
    {
        Advice("qwen3-32b", "rtx-4090").ShouldBe([
            "does not fit: weights (65.5 GB), activations (0.5 GB) and runtime reserve (1.6 GB) per GPU exceed the 23.2 GB budget (25.8 GB x 0.9) by 44.4 GB",
            "fits with --tp 4 (4 GPUs per replica)",
            "fits at --tp 1 with --weights nvfp4 or --weights int4-g128",
        ]);
    }

    [Fact]
    public void Deepseek_v3_on_eight_l4s_is_told_that_nothing_in_reach_fits()
    {
        Advice("deepseek-v3", "l4", new ServingConfig { TensorParallel = 8 }).ShouldBe([
            "does not fit: weights (84.1 GB), activations (0.2 GB) and runtime reserve (1.6 GB) per GPU exceed the 21.7 GB budget (24.2 GB x 0.9) by 64.2 GB",
            "no TP degree up to the scale-up domain or smaller data type fits; use a GPU with more memory or pipeline parallelism (--pp)",
        ]);
    }

    private static IReadOnlyList<string> Advice(string model, string gpu, ServingConfig? serving = null, Workload? workload = null)
    {
        var result = Estimator.Estimate(new EstimateRequest
        {
            Model = ModelCatalog.Default.Find(model),
            Gpu = GpuCatalog.Default.Get(gpu),
            Serving = serving ?? new ServingConfig(),
            Workload = workload ?? new Workload(),
        });
        result.Fits.ShouldBeFalse();
        return result.Advice;
    }
}
