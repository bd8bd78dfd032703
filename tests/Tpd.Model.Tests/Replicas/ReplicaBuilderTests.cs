using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Estimate;
using Tpd.Model.Replicas;
using Tpd.Model.Serving;

namespace Tpd.Model.Tests.Replicas;

public class ReplicaBuilderTests
{
    private static readonly GpuSpec H100 = GpuCatalog.Default.Get("h100-sxm");

    [Fact]
    public void The_model_is_counted_once_and_every_replica_of_it_shares_the_count()
    {
        var builder = new ReplicaBuilder(ModelCatalog.Default.Find("qwen3-30b-a3b"));

        var a = builder.Build(new ReplicaSetup { Gpu = H100 });
        var b = builder.Build(new ReplicaSetup { Gpu = GpuCatalog.Default.Get("l40s"), Serving = new ServingConfig { TensorParallel = 2, Weights = WeightFormat.Fp8 } });

        a.Profile.Shape.ShouldBeSameAs(builder.Shape);
        b.Profile.Shape.ShouldBeSameAs(builder.Shape);
        b.Profile.Parameters.ShouldBeSameAs(a.Profile.Parameters);
    }

    [Fact]
    public void A_replica_that_fits_has_its_step_model_priced_on_its_own_profile()
    {
        var replica = new ReplicaBuilder(ModelCatalog.Default.Find("llama-3.1-8b")).Build(new ReplicaSetup { Gpu = H100 }).ShouldBeOfType<AssembledReplica>();

        replica.StepModel.Profile.ShouldBeSameAs(replica.Profile);
        replica.Deficit.ShouldBe(DataSize.Zero);
        replica.Profile.MaxNumSeqs.ShouldBe(VllmDefaults.MaxNumSeqsLargeGpu);
        replica.Profile.MaxBatchedTokens.ShouldBe(VllmDefaults.MaxNumBatchedTokensLargeGpu);
    }

    [Fact]
    public void A_replica_that_does_not_fit_says_why_in_the_estimates_own_words()
    {
        var request = new EstimateRequest { Model = ModelCatalog.Default.Find("llama-3.1-70b"), Gpu = H100 };

        var deficit = new ReplicaBuilder(request.Model).Build(request.Replica, request.Workload.FullContext).ShouldBeOfType<ReplicaDeficit>();

        deficit.Message.ShouldBe("does not fit: weights (141.1 GB), activations (2.2 GB) and runtime reserve (1.6 GB) per GPU exceed the 77 GB budget (85.5 GB x 0.9) by 67.9 GB");
        Estimator.Estimate(request).Advice.ShouldBe([deficit.Message, .. deficit.Advice]);
        deficit.Summary.ShouldBe("Llama-3.1-70B on 1 x h100-sxm " + deficit.Message);
        deficit.SummaryWithAdvice.ShouldBe(deficit.Summary + "; fits with --tp 2 (2 GPUs per replica); fits at --tp 1 with --weights fp8 or --weights nvfp4 or --weights int4-g128");
        // Short by the weights' overflow plus the one KV block it also needs.
        deficit.Deficit.ShouldBeGreaterThan(deficit.Memory.Deficit);
    }

    [Fact]
    public void Weights_that_fit_but_leave_no_kv_block_are_told_so()
    {
        var builder = new ReplicaBuilder(ModelCatalog.Default.Find("llama-3.1-8b"));
        var fits = builder.Build(new ReplicaSetup { Gpu = H100 }).ShouldBeOfType<AssembledReplica>();
        // Exactly the weights, activations and reserve over the 0.9 utilisation: the pool is empty.
        var m = fits.Memory;
        var capacity = (m.Weights + m.Activations + m.RuntimeReserve) / 0.9;

        var deficit = builder.Build(new ReplicaSetup { Gpu = H100, MemoryPerGpu = capacity }).ShouldBeOfType<ReplicaDeficit>();

        deficit.Message.ShouldBe("does not fit: the 0 GB KV pool per GPU cannot hold one KV block of 16 tokens (0.0021 GB per GPU)");
        deficit.Deficit.Bytes.ShouldBe(131_072 * 16, 1);
    }

    [Fact]
    public void Build_refuses_a_setup_that_does_not_split_the_model_listing_every_problem()
    {
        var builder = new ReplicaBuilder(ModelCatalog.Default.Find("llama-3.1-8b"));
        var setup = new ReplicaSetup { Gpu = H100, Serving = new ServingConfig { TensorParallel = 3, GpuMemoryUtilization = 2 } };

        builder.Validate(setup).ShouldBe([
            "gpu memory utilization 2 is out of range; use a fraction in (0, 1], e.g. 0.9",
            "tensor parallel 3 does not divide the 8 KV heads of Llama-3.1-8B (nor they it); use a TP that divides or is a multiple of 8",
            "tensor parallel 3 does not divide the 32 attention heads of Llama-3.1-8B; use one of 1, 2, 4, 8, 16, 32",
        ]);
        Should.Throw<ArgumentException>(() => builder.Build(setup)).Message.ShouldStartWith("cannot serve Llama-3.1-8B this way: gpu memory utilization 2 is out of range");
    }
}
