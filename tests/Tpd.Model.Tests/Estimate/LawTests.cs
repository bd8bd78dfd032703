using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Catalog;
using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Estimate;
using Tpd.Model.Serving;
using Tpd.TestKit;

namespace Tpd.Model.Tests.Estimate;

/// <summary>Laws of the model as properties over every catalog model and GPU (seeded; see PropertyConfig).</summary>
public class LawTests
{
    private static readonly IReadOnlyList<ModelArchitecture> Models = ModelCatalog.Default.All;
    private static readonly IReadOnlyList<GpuSpec> Gpus = GpuCatalog.Default.All;

    private static Gen<(ModelArchitecture Model, GpuSpec Gpu, Workload Workload, KvFormat Kv)> Setups =>
        from m in Gen.Elements(Models.ToArray())
        from g in Gen.Elements(Gpus.ToArray())
        from input in Gen.Choose(1, 32_000)
        from output in Gen.Choose(1, 4_000)
        from kv in Gen.Elements(KvFormat.Bf16, KvFormat.Fp8)
        select (m, g, new Workload { InputTokens = input, OutputTokens = output }, kv);

    private static EstimateResult Run(ModelArchitecture m, GpuSpec g, Workload w, KvFormat kv, int tp = 1, DataSize? memory = null) =>
        Estimator.Estimate(new EstimateRequest
        {
            Model = m,
            Gpu = g,
            Workload = w,
            Serving = new ServingConfig { TensorParallel = tp, Kv = kv },
            MemoryPerGpu = memory,
            Price = new Cost.RentedPrice(MoneyRate.FromDollarsPerHour(2), "test"),
        });

    [Fact]
    public void More_memory_never_fits_fewer_sequences()
    {
        Prop.ForAll(Arb.From(Setups), Arb.From(Gen.Choose(8, 400)), Arb.From(Gen.Choose(1, 200)), (s, gb, extra) =>
        {
            var small = Run(s.Model, s.Gpu, s.Workload, s.Kv, memory: DataSize.FromGB(gb));
            var large = Run(s.Model, s.Gpu, s.Workload, s.Kv, memory: DataSize.FromGB(gb + extra));
            return large.MaxConcurrentSequences >= small.MaxConcurrentSequences
                && large.Memory.KvTokens >= small.Memory.KvTokens;
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void More_bandwidth_is_never_slower()
    {
        Prop.ForAll(Arb.From(Setups), Arb.From(Gen.Choose(101, 400)), Arb.From(Gen.Choose(1, 256)), (s, pct, batch) =>
        {
            var w = s.Workload with { Batch = batch };
            var faster = s.Gpu with { MemoryBandwidth = s.Gpu.MemoryBandwidth * (pct / 100.0) };
            var a = Run(s.Model, s.Gpu, w, s.Kv, memory: DataSize.FromTB(10));
            var b = Run(s.Model, faster, w, s.Kv, memory: DataSize.FromTB(10));
            return a.Point is not { } pa || (b.Point is { } pb && pb.Tpot <= pa.Tpot && pb.Ttft <= pa.Ttft);
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void A_wider_tensor_parallel_group_never_holds_fewer_tokens()
    {
        Prop.ForAll(Arb.From(Setups), s =>
        {
            long previous = -1;
            foreach (var tp in new[] { 1, 2, 4, 8 })
            {
                if (s.Model.NumAttentionHeads % tp != 0 || (s.Model.Mla is null && s.Model.NumKeyValueHeads % tp != 0 && tp % s.Model.NumKeyValueHeads != 0))
                    continue;
                var r = Run(s.Model, s.Gpu, s.Workload, s.Kv, tp);
                var tokens = r.Memory.Fits ? r.Memory.KvTokens : 0;
                if (tokens < previous)
                    return false;
                previous = tokens;
            }

            return true;
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Fp8_kv_never_holds_fewer_sequences_than_bf16()
    {
        Prop.ForAll(Arb.From(Setups), s =>
            Run(s.Model, s.Gpu, s.Workload, KvFormat.Fp8).MaxConcurrentSequences >= Run(s.Model, s.Gpu, s.Workload, KvFormat.Bf16).MaxConcurrentSequences)
            .Check(PropertyConfig.Default);
    }

    [Fact]
    public void Cost_per_million_tokens_is_price_over_rate()
    {
        Prop.ForAll(Arb.From(Setups), s =>
        {
            var r = Run(s.Model, s.Gpu, s.Workload, s.Kv);
            if (r.Point is not { } p)
                return true;
            var expected = 2.0 * r.Gpus / 3600 / p.OutputRate.TokensPerSecond * 1e6;
            return Math.Abs(r.Cost!.DollarsPerMillionOutput - expected) <= 1e-9 * expected;
        }).Check(PropertyConfig.Default);
    }
}
