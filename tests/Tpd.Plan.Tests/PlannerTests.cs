using Tpd.Core.Formats;
using Tpd.Core.Measurement;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Plan.Request;
using Tpd.Plan.Result;
using Tpd.Plan.Search;
using Tpd.Simulation.Workloads;

namespace Tpd.Plan.Tests;

public sealed class PlannerTests
{
    [Fact]
    public void Run_gives_identical_results_for_the_same_request_whatever_the_thread_count()
    {
        var request = Plans.Small();
        var one = Planner.Run(request with { MaxDegreeOfParallelism = 1 });
        var two = Planner.Run(request with { MaxDegreeOfParallelism = 2 });

        one.Ranked.Count.ShouldBeGreaterThan(0);
        Fingerprint(two).ShouldBe(Fingerprint(one));
        two.WhyWinnerWins.ShouldBe(one.WhyWinnerWins);
    }

    [Fact]
    public void Run_prunes_what_does_not_fit_with_the_shortfall()
    {
        var request = Plans.Small(gpus: "l4") with { Model = ModelCatalog.Default.Find("llama-3.1-70b"), WeightFormats = [WeightFormat.Bf16] };
        var result = Planner.Run(request);

        result.Ranked.ShouldBeEmpty();
        var pruned = result.Pruned.ShouldHaveSingleItem();
        pruned.Reason.ShouldBe(PruneReason.DoesNotFit);
        pruned.Detail.ShouldStartWith("does not fit: weights (141.1 GB)");
        result.WhyWinnerWins.ShouldContain("no configuration meets the SLOs");
    }

    [Fact]
    public void Run_prunes_candidates_too_slow_alone_for_the_tpot_or_ttft_objective()
    {
        var tpot = Planner.Run(Plans.Small() with { Slo = SloSpec.Parse("p90 ttft<=2s, p90 tpot<=2ms") });
        tpot.Ranked.ShouldBeEmpty();
        tpot.Pruned.Count.ShouldBe(tpot.Candidates);
        tpot.Pruned.ShouldAllBe(p => p.Reason == PruneReason.TpotAtBatchOne && p.Detail.Contains("above the TPOT objective of 2 ms"));

        var ttft = Planner.Run(Plans.Small() with { Slo = SloSpec.Parse("p90 ttft<=1ms, p90 tpot<=50ms") });
        ttft.Pruned.ShouldAllBe(p => p.Reason == PruneReason.TtftAtBatchOne);
        ttft.Pruned.Count.ShouldBe(ttft.Candidates);
    }

    [Fact]
    public void Run_prunes_a_candidate_whose_every_load_breaks_an_slo_on_the_simulator()
    {
        // Every TTFT under 45 ms holds for the mean prompt alone (the screen) but not for the chat preset's longest prompts.
        var result = Planner.Run(Plans.Small(gpus: "l4") with { WeightFormats = [WeightFormat.Int4()], Slo = SloSpec.Parse("p100 ttft<=45ms") });

        result.Ranked.ShouldBeEmpty();
        var pruned = result.Pruned.ShouldHaveSingleItem();
        pruned.Reason.ShouldBe(PruneReason.NoLoadMeetsSlo);
        pruned.Detail.ShouldStartWith("even at ");
        pruned.Detail.ShouldContain(" users on one replica the simulator breaks p100 TTFT <= 0.045 s (was ");
    }

    [Fact]
    public void More_demand_never_needs_fewer_replicas()
    {
        var request = Plans.Small(gpus: "l4") with { WeightFormats = [WeightFormat.Fp8] };
        var replicas = new[] { 50, 400, 1200 }
            .Select(u => Planner.Run(request with { Demand = PlanDemand.Users(u) }).Ranked.ShouldHaveSingleItem().Replicas)
            .ToList();

        replicas.ShouldBe(replicas.Order().ToList());
        replicas[^1].ShouldBeGreaterThan(replicas[0]);
    }

    [Fact]
    public void Sized_configurations_follow_from_the_capacity()
    {
        var result = Planner.Run(Plans.Small(users: 600));
        foreach (var p in result.Ranked)
        {
            p.Replicas.ShouldBe((int)Math.Ceiling(600 / p.CapacityPerReplica - 1e-9));
            p.FleetPrice.DollarsPerHour.ShouldBe(p.Candidate.ReplicaPrice.DollarsPerHour * p.Replicas, 1e-9);
            p.Headroom.ShouldBe(p.CapacityPerReplica * p.Replicas / 600 - 1, 1e-9);
            p.Headroom.ShouldBeGreaterThanOrEqualTo(-1e-9);
            p.CostPerUserMonth!.Value.ShouldBe(p.FleetPrice.DollarsPerHour * 720 / 600, 1e-9);
            p.TokensPerSecondPerUser.ShouldBe(1 / p.MedianTpot.Seconds, 1e-9);
        }

        result.Ranked.Select(p => p.Rank).ShouldBe(Enumerable.Range(1, result.Ranked.Count));
        result.Ranked.Select(p => p.QualityAdjustedFleetPrice.DollarsPerHour).ShouldBe(result.Ranked.Select(p => p.QualityAdjustedFleetPrice.DollarsPerHour).Order());
    }

    [Fact]
    public void Capacity_meets_the_slo_and_the_load_above_it_does_not()
    {
        var result = Planner.Run(Plans.Small(users: 5000, "l4") with { WeightFormats = [WeightFormat.Fp8] });
        var p = result.Ranked.ShouldHaveSingleItem();

        p.CapacityIsLowerBound.ShouldBeFalse();
        p.FailsAbove.ShouldNotBeEmpty();
        p.FailsAbove.ShouldAllBe(f => f.StartsWith("p90 ", StringComparison.Ordinal));
        p.MedianTpot.ShouldBeLessThanOrEqualTo(Duration.FromMilliseconds(50));
    }

    [Fact]
    public void A_replica_that_carries_the_whole_demand_stops_the_search_there_when_refinement_is_off()
    {
        var result = Planner.Run(Plans.Small(users: 100, "h100-sxm") with { WeightFormats = [WeightFormat.Fp8], RefineTop = 0 });
        var p = result.Ranked.ShouldHaveSingleItem();

        p.CapacityIsLowerBound.ShouldBeTrue();
        p.CapacityPerReplica.ShouldBe(100);
        p.Replicas.ShouldBe(1);
        result.WhyWinnerWins.ShouldContain("at least 100 users");
    }

    [Fact]
    public void Headroom_of_the_cheapest_is_searched_past_the_demand_without_changing_what_the_fleet_costs()
    {
        var request = Plans.Small(users: 100, "h100-sxm") with { WeightFormats = [WeightFormat.Fp8] };
        var stopped = Planner.Run(request with { RefineTop = 0 }).Ranked.Single();
        var refined = Planner.Run(request).Ranked.Single();

        refined.CapacityPerReplica.ShouldBeGreaterThan(100);
        refined.CapacityPerReplica.ShouldBeLessThanOrEqualTo(100 * request.HeadroomCeiling);
        refined.Headroom.ShouldBe(refined.CapacityPerReplica / 100 - 1, 1e-9);
        refined.Trials.ShouldBeGreaterThan(stopped.Trials);
        (refined.Replicas, refined.FleetPrice, refined.CostPerMillionOutputTokens, refined.TokensPerSecondPerUser)
            .ShouldBe((stopped.Replicas, stopped.FleetPrice, stopped.CostPerMillionOutputTokens, stopped.TokensPerSecondPerUser));
        if (!refined.CapacityIsLowerBound)
            refined.FailsAbove.ShouldNotBeEmpty(); // a true capacity: the next load tried broke an objective
    }

    [Fact]
    public void Cancellation_keeps_the_candidates_already_finished()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<PlanProgress>();
        var request = Plans.Small() with { MaxDegreeOfParallelism = 1 };
        var result = Planner.Run(request, new SyncProgress<PlanProgress>(p =>
        {
            reports.Add(p);
            cts.Cancel();
        }), cts.Token);

        result.Complete.ShouldBeFalse();
        result.Evaluated.ShouldBe(1);
        (result.Ranked.Count + result.Pruned.Count(p => p.Reason == PruneReason.NoLoadMeetsSlo)).ShouldBe(1);
        reports.ShouldHaveSingleItem().Done.ShouldBe(1);
        reports[0].Total.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void Progress_counts_every_candidate_searched()
    {
        var reports = new List<PlanProgress>();
        var result = Planner.Run(Plans.Small(), new SyncProgress<PlanProgress>(p => { lock (reports) reports.Add(p); }));

        result.Complete.ShouldBeTrue();
        reports.Select(r => r.Done).Order().ShouldBe(Enumerable.Range(1, result.Evaluated));
        reports.ShouldAllBe(r => r.Total == result.Evaluated);
    }

    [Fact]
    public void Quality_weights_divide_the_cost_and_can_change_the_winner()
    {
        var request = Plans.Small(users: 600, "l4");
        var plain = Planner.Run(request);
        var winnerKind = plain.Winner!.Candidate.Serving.Weights!.Value.Kind;

        var weighted = Planner.Run(request with { QualityWeights = new Dictionary<WeightKind, double> { [winnerKind] = 0.5 } });

        weighted.Winner!.Candidate.Serving.Weights!.Value.Kind.ShouldNotBe(winnerKind);
        var penalised = weighted.Ranked.Single(p => p.Candidate.Label == plain.Winner.Candidate.Label);
        penalised.QualityAdjustedFleetPrice.DollarsPerHour.ShouldBe(penalised.FleetPrice.DollarsPerHour / 0.5, 1e-9);
        penalised.QualityAdjustedCostPerMillionOutputTokens.ShouldBe(penalised.CostPerMillionOutputTokens / 0.5, 1e-9);
        penalised.FleetPrice.ShouldBe(plain.Winner.FleetPrice);
    }

    [Fact]
    public void The_pareto_front_of_a_plan_holds_its_cheapest_configuration_and_no_dominated_one()
    {
        var result = Planner.Run(Plans.Small(users: 600));
        var cheapest = result.Ranked.MinBy(p => p.QualityAdjustedCostPerMillionOutputTokens)!;

        result.ParetoFront.ShouldContain(cheapest);
        foreach (var p in result.ParetoFront)
            result.Ranked.ShouldNotContain(q => ParetoFront.Dominates(q, p));
    }

    [Fact]
    public void Rate_and_token_demand_size_the_fleet_in_their_own_units()
    {
        var rate = Planner.Run(Plans.Small(gpus: "l4") with { Demand = PlanDemand.Rate(2), WeightFormats = [WeightFormat.Fp8] }).Ranked.ShouldHaveSingleItem();
        rate.CostPerUserMonth.ShouldBeNull();
        rate.Replicas.ShouldBe((int)Math.Ceiling(2 / rate.CapacityPerReplica - 1e-9));

        var perDay = 2e8;
        var tokens = Planner.Run(Plans.Small(gpus: "l4") with { Demand = PlanDemand.TokensPerDay(perDay), WeightFormats = [WeightFormat.Fp8] }).Ranked.ShouldHaveSingleItem();
        tokens.Replicas.ShouldBe((int)Math.Ceiling(perDay / 86_400 / tokens.CapacityOutputRate.TokensPerSecond - 1e-9));
        tokens.CostPerMillionOutputTokens.ShouldBe(tokens.FleetPrice.DollarsPerSecond / (perDay / 86_400) * 1e6, 1e-9);
    }

    [Theory]
    [InlineData("rag", 3.0)]
    [InlineData("batch", 300.0)]
    [InlineData("agentic", 0.5)]
    public void Every_preset_plans_by_its_own_rate(string preset, double rate)
    {
        var result = Planner.Run(Plans.Small(gpus: "h100-sxm") with { Preset = WorkloadPreset.Parse(preset), Demand = PlanDemand.Rate(rate), WeightFormats = [WeightFormat.Fp8] });

        var p = result.Ranked.ShouldHaveSingleItem();
        p.CapacityPerReplica.ShouldBeGreaterThan(0);
        p.CapacityPerReplica.ShouldBeLessThanOrEqualTo(rate * 4); // the headroom search stops at 4 x the demand
        p.Replicas.ShouldBe((int)Math.Ceiling(rate / p.CapacityPerReplica - 1e-9));
        p.CapacityOutputRate.TokensPerSecond.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Run_rejects_an_invalid_request_listing_every_problem()
    {
        var bad = Plans.Small() with { Preset = WorkloadPreset.Rag, Slo = new SloSpec(), PriceTier = "spot", BisectionSteps = 0 };
        var e = Should.Throw<ArgumentException>(() => Planner.Run(bad));
        e.Message.ShouldContain("users applies to the chat and agentic presets");
        e.Message.ShouldContain("no SLO to plan for");
        e.Message.ShouldContain("price tier 'spot' is unknown");
        e.Message.ShouldContain("bisection steps 0");
    }

    private static List<string> Fingerprint(PlanResult r) =>
        [.. r.Ranked.Select(p => $"{p.Rank} {p.Candidate.Label} {p.CapacityPerReplica:R} {p.Replicas} {p.FleetPrice.DollarsPerSecond:R} {p.CostPerMillionOutputTokens:R} {p.TokensPerSecondPerUser:R} {p.Headroom:R} {p.Bottleneck} {p.Trials}"),
         .. r.ParetoFront.Select(p => "pareto " + p.Candidate.Label),
         .. r.Pruned.Select(p => $"pruned {p.Candidate.Label} {p.Reason} {p.Detail}")];
}
