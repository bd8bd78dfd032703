using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Replicas;
using Tpd.Model.Serving;
using Tpd.TestKit;

namespace Tpd.Model.Tests.Replicas;

/// <summary>Laws of replica assembly over every catalog model and GPU (seeded; see PropertyConfig).</summary>
public class ReplicaBuilderLawTests
{
    private static Gen<(ModelArchitecture Model, ReplicaSetup Setup)> Setups =>
        from m in Gen.Elements(ModelCatalog.Default.All.ToArray())
        from g in Gen.Elements(GpuCatalog.Default.All.ToArray())
        from tp in Gen.Elements(1, 2, 4, 8)
        from weights in Gen.Elements<WeightFormat?>(null, WeightFormat.Bf16, WeightFormat.Fp8, WeightFormat.Int4(128))
        from kv in Gen.Elements(KvFormat.Bf16, KvFormat.Fp8)
        from gb in Gen.Choose(1, 400)
        from given in Gen.Elements(true, false)
        where new ServingConfig { TensorParallel = tp }.SplitErrors(m).Count == 0
        select (m, new ReplicaSetup
        {
            Gpu = g,
            Serving = new ServingConfig { TensorParallel = tp, Weights = weights, Kv = kv },
            MemoryPerGpu = given ? DataSize.FromGB(gb) : null,
        });

    [Fact]
    public void A_replica_fits_exactly_when_its_deficit_is_zero()
    {
        Prop.ForAll(
                Setups.ToArbitrary(),
                Gen.Elements<double?>(null, 1, 2048, 200_000).ToArbitrary(),
                (s, sequence) =>
                {
                    var built = new ReplicaBuilder(s.Model).Build(s.Setup, sequence);
                    return built.Fits == (built.Deficit == DataSize.Zero)
                        && built.Fits == built is AssembledReplica
                        && (built is AssembledReplica || built.Deficit > DataSize.Zero);
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void A_replica_fits_when_its_memory_budget_has_a_kv_block()
    {
        Prop.ForAll(
                Setups.ToArbitrary(),
                s =>
                {
                    var built = new ReplicaBuilder(s.Model).Build(s.Setup);
                    return built.Fits == built.Memory.Fits && built.Fits == built.Memory.KvBlocks >= 1;
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void More_memory_never_lowers_the_kv_blocks_nor_unfits_a_replica()
    {
        Prop.ForAll(
                Setups.ToArbitrary(),
                Gen.Choose(1, 400).ToArbitrary(),
                Gen.Choose(0, 400).ToArbitrary(),
                (s, gb, extra) =>
                {
                    var builder = new ReplicaBuilder(s.Model);
                    var small = builder.Build(s.Setup with { MemoryPerGpu = DataSize.FromGB(gb) });
                    var large = builder.Build(s.Setup with { MemoryPerGpu = DataSize.FromGB(gb + extra) });
                    return large.Memory.KvBlocks >= small.Memory.KvBlocks
                        && large.Deficit <= small.Deficit
                        && (!small.Fits || large.Fits);
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void The_deficit_is_what_is_missing_a_little_more_memory_makes_it_fit()
    {
        Prop.ForAll(
                Setups.ToArbitrary(),
                s =>
                {
                    var builder = new ReplicaBuilder(s.Model);
                    var built = builder.Build(s.Setup);
                    if (built.Fits)
                        return true;
                    var utilization = s.Setup.Serving.GpuMemoryUtilization;
                    var more = built.Memory.Capacity + (built.Deficit * 1.001 / utilization);
                    return builder.Build(s.Setup with { MemoryPerGpu = more }).Fits;
                })
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void The_advice_names_only_setups_that_fit()
    {
        Prop.ForAll(
                Setups.ToArbitrary(),
                s =>
                {
                    var builder = new ReplicaBuilder(s.Model);
                    if (builder.Build(s.Setup) is not ReplicaDeficit deficit)
                        return true;
                    var tpAdvice = deficit.Advice.FirstOrDefault(a => a.StartsWith("fits with --tp ", StringComparison.Ordinal));
                    if (tpAdvice is null)
                        return true;
                    var tp = int.Parse(tpAdvice.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
                    return tp > s.Setup.Serving.TensorParallel
                        && builder.Build(s.Setup with { Serving = s.Setup.Serving with { TensorParallel = tp } }).Fits;
                })
            .Check(PropertyConfig.Default);
    }
}
