using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Catalog;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Plan.Result;
using Tpd.Plan.Search;
using Tpd.TestKit;

namespace Tpd.Plan.Tests;

public sealed class ParetoFrontTests
{
    [Fact]
    public void Of_keeps_no_dominated_point_and_every_undominated_one_including_the_cheapest()
    {
        var points = Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(Gen.Two(Gen.Choose(1, 12)), n));
        Prop.ForAll(points.ToArbitrary(), pairs =>
        {
            var configs = pairs.Select((p, i) => Config(i, cost: p.Item1, speed: p.Item2)).ToList();
            var front = ParetoFront.Of(configs);

            // Plain LINQ, not Shouldly's expression overloads: those compile an expression tree per call.
            front.Any(p => configs.Any(q => ParetoFront.Dominates(q, p))).ShouldBeFalse("a front point is dominated");
            configs.Except(front).All(p => configs.Any(q => ParetoFront.Dominates(q, p))).ShouldBeTrue("an undominated point was left out");
            var cheapest = configs.Min(c => c.QualityAdjustedCostPerMillionOutputTokens);
            front.Any(p => p.QualityAdjustedCostPerMillionOutputTokens == cheapest).ShouldBeTrue("the cheapest is missing");
            front.Select(p => p.QualityAdjustedCostPerMillionOutputTokens).ShouldBe(front.Select(p => p.QualityAdjustedCostPerMillionOutputTokens).Order());
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Dominates_needs_no_worse_on_both_axes_and_better_on_one()
    {
        ParetoFront.Dominates(Config(0, 1, 5), Config(1, 2, 5)).ShouldBeTrue();
        ParetoFront.Dominates(Config(0, 1, 6), Config(1, 1, 5)).ShouldBeTrue();
        ParetoFront.Dominates(Config(0, 1, 5), Config(1, 1, 5)).ShouldBeFalse();
        ParetoFront.Dominates(Config(0, 1, 4), Config(1, 2, 5)).ShouldBeFalse();
    }

    private static PlannedConfiguration Config(int i, double cost, double speed) => new()
    {
        Candidate = new Candidate(GpuCatalog.Default.Get("l4"), new ServingConfig { MaxNumSeqs = i + 1 }, MoneyRate.FromDollarsPerHour(1), 1),
        Rank = i + 1,
        CapacityPerReplica = 1,
        CapacityIsLowerBound = false,
        CapacityOutputRate = TokenRate.FromTokensPerSecond(1),
        Replicas = 1,
        FleetPrice = MoneyRate.FromDollarsPerHour(cost),
        QualityAdjustedFleetPrice = MoneyRate.FromDollarsPerHour(cost),
        CostPerMillionOutputTokens = cost,
        QualityAdjustedCostPerMillionOutputTokens = cost,
        TokensPerSecondPerUser = speed,
        MedianTpot = Duration.FromSeconds(1 / speed),
        Headroom = 0,
        Bottleneck = Bottleneck.MemoryBandwidth,
        RooflineBound = Bound.Memory,
        MeanConcurrency = 1,
        FailsAbove = [],
        Trials = 1,
    };
}
