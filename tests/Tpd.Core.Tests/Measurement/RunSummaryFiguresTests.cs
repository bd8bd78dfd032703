using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Core.Tests.Measurement;

public class RunSummaryFiguresTests
{
    [Fact]
    public void Figures_lists_every_number_once_with_a_unit_and_a_formula()
    {
        var records = Enumerable.Range(0, 4).Select(i => new RequestRecord
        {
            Id = i,
            Outcome = RequestOutcome.Ok,
            ScheduledSeconds = i,
            SendSeconds = i,
            FirstTokenSeconds = i + 0.5,
            FirstContentSeconds = i + 0.5,
            LastTokenSeconds = i + 1.5,
            EndSeconds = i + 1.6,
            InputTokens = 10,
            OutputTokens = 11,
            RequestedOutputTokens = 11,
            InterTokenGaps = [.. Enumerable.Repeat(0.1, 10)],
        }).ToList();
        var s = RunSummary.Of(records, new SloSpec { Ttft = Duration.FromSeconds(1) }, new CostInputs { Price = MoneyRate.FromDollarsPerHour(2), Power = Power.FromWatts(700), Electricity = EnergyPrice.FromDollarsPerKilowattHour(0.1) });
        var figures = s.Figures().ToList();

        figures.Select(f => f.Name).ShouldBeUnique();
        figures.ShouldAllBe(f => f.Unit.Length > 0 && f.Formula.Length > 0 && double.IsFinite(f.Value));
        figures.Single(f => f.Name == "ttft_p90_seconds").Value.ShouldBe(s.Ttft!.P90);
        figures.Single(f => f.Name == "output_token_throughput_tokens_per_second").Value.ShouldBe(44 / 4.6, 1e-12);
        figures.Single(f => f.Name == "usd_per_million_output_tokens").Formula.ShouldBe(Formulas.CostPerMillionOutput);
        figures.Select(f => f.Name).ShouldContain("e2e_to_end_p99_seconds");
        figures.Select(f => f.Name).ShouldContain("electricity_usd_per_million_output_tokens");
        // 13 run figures + 3 TPOT weightings + 7 latency metrics x 8 statistics + 2 validity + 3 SLO + 6 cost.
        figures.Count.ShouldBe(13 + 3 + (7 * 8) + 2 + 3 + 6);
    }
}
