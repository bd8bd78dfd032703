using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Measurement;

/// <summary>
/// A hand-computed run: three ok requests, one 429, one cut stream and one warm-up request.
///   r1: send 0, first 0.5, last 2.5, end 2.6, N_in 100, N_out 5 (asked 5), gaps 4 x 0.5  -> TTFT 0.5, E2E 2.5, TPOT 0.5
///   r2: send 1, first 1.2, last 2.2, end 2.3, N_in 50,  N_out 3 (asked 4), gaps 2 x 0.5  -> TTFT 0.2, E2E 1.2, TPOT 0.5
///   r3: send 2, first 3.0, last 5.0, end 6.0, N_in 10,  N_out 9 (asked 9), gaps 8 x 0.25 -> TTFT 1.0, E2E 3.0, TPOT 0.25
/// Duration = max t_end - min t_send = 6 - 0 = 6 s.
/// </summary>
public class RunSummaryTests
{
    private static RequestRecord Ok(long id, double send, double first, double last, double end, int nIn, int nOut, int asked, double gap) => new()
    {
        Id = id,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = send,
        SendSeconds = send,
        HeadersSeconds = send + 0.01,
        FirstTokenSeconds = first,
        FirstContentSeconds = first,
        LastTokenSeconds = last,
        EndSeconds = end,
        InputTokens = nIn,
        OutputTokens = nOut,
        RequestedOutputTokens = asked,
        InterTokenGaps = [.. Enumerable.Repeat(gap, nOut - 1)],
    };

    private static List<RequestRecord> HandRun() =>
    [
        Ok(0, -5, -4, -3, -3, 1000, 100, 100, 0.01) with { Warmup = true },
        Ok(1, 0, 0.5, 2.5, 2.6, 100, 5, 5, 0.5),
        Ok(2, 1, 1.2, 2.2, 2.3, 50, 3, 4, 0.5),
        Ok(3, 2, 3.0, 5.0, 6.0, 10, 9, 9, 0.25),
        new()
        {
            Id = 4, Outcome = RequestOutcome.Error, ErrorClass = "http_429", HttpStatus = 429,
            ScheduledSeconds = 3, SendSeconds = 3, HeadersSeconds = 3.1, EndSeconds = 3.1, InputTokens = 20, OutputTokens = 0,
        },
        new()
        {
            Id = 5, Outcome = RequestOutcome.Incomplete, ErrorClass = "connection_reset",
            ScheduledSeconds = 4, SendSeconds = 4, FirstTokenSeconds = 4.5, LastTokenSeconds = 4.8, EndSeconds = 4.9,
            InputTokens = 20, OutputTokens = 2,
        },
    ];

    private static readonly SloSpec Slo = new()
    {
        Ttft = Duration.FromSeconds(0.6),
        Tpot = Duration.FromSeconds(0.55),
        Percentiles = [PercentileSlo.Parse("p50 ttft <= 0.5s"), PercentileSlo.Parse("p90 ttft <= 800ms")],
    };

    private static RunSummary Summary() => RunSummary.Of(HandRun(), Slo, new CostInputs
    {
        Price = MoneyRate.FromDollarsPerHour(3.6),
        Power = Power.FromWatts(700),
        Electricity = EnergyPrice.FromDollarsPerKilowattHour(0.1),
        Pue = 1.5,
    });

    [Fact]
    public void Of_excludes_warmup_and_counts_outcomes_and_error_classes()
    {
        var s = Summary();
        s.Requests.ShouldBe(5);
        s.WarmupExcluded.ShouldBe(1);
        (s.Ok, s.Incomplete, s.Errors).ShouldBe((3, 1, 1));
        s.ByErrorClass.ShouldBe(new Dictionary<string, int> { ["connection_reset"] = 1, ["http_429"] = 1 });
        s.ErrorRate.Value.ShouldBe(0.4);
    }

    [Fact]
    public void Of_measures_duration_from_first_dispatch_to_last_completion()
    {
        var s = Summary();
        s.FirstDispatchSeconds.ShouldBe(0);
        s.Duration.Value.Seconds.ShouldBe(6);
        s.Duration.Formula.ShouldContain("first dispatch");
    }

    [Fact]
    public void Of_computes_request_output_and_total_throughput_over_ok_requests()
    {
        var s = Summary();
        s.RequestThroughput.Value.ShouldBe(3 / 6.0, 1e-12);
        s.OutputTokens.ShouldBe(17);
        s.InputTokens.ShouldBe(160);
        s.OutputTokenThroughput.Value.TokensPerSecond.ShouldBe(17 / 6.0, 1e-12);
        s.TotalTokenThroughput.Value.TokensPerSecond.ShouldBe(177 / 6.0, 1e-12);
    }

    [Fact]
    public void Of_computes_latency_distributions_of_ok_requests()
    {
        var s = Summary();
        s.Ttft!.Sorted.ToArray().ShouldBe([0.2, 0.5, 1.0], tolerance: 1e-12);
        s.Ttft.Mean.ShouldBe(1.7 / 3, 1e-12);
        s.Ttft.Std.ShouldBe(Math.Sqrt(((0.2 - (1.7 / 3)) * (0.2 - (1.7 / 3)) + (0.5 - (1.7 / 3)) * (0.5 - (1.7 / 3)) + (1.0 - (1.7 / 3)) * (1.0 - (1.7 / 3))) / 3), 1e-12);
        s.Ttft.P90.ShouldBe(0.9, 1e-12);
        s.E2e!.Sorted.ToArray().ShouldBe([1.2, 2.5, 3.0], tolerance: 1e-12);
        s.E2eToEnd!.Sorted.ToArray().ShouldBe([1.3, 2.6, 4.0], tolerance: 1e-12);
        s.Tpot!.Sorted.ToArray().ShouldBe([0.25, 0.5, 0.5], tolerance: 1e-12);
        s.Ntpot!.Sorted.ToArray().ShouldBe([1.0 / 3, 0.4, 0.5], tolerance: 1e-12);
        s.Itl!.Count.ShouldBe(4 + 2 + 8);
        s.Itl.Mean.ShouldBe(((6 * 0.5) + (8 * 0.25)) / 14, 1e-12);
        s.Ttft.Formula.ShouldBe(Formulas.Ttft);
    }

    [Fact]
    public void Of_gives_tpot_weighted_per_request_and_per_token()
    {
        var s = Summary();
        s.TpotMeanPerRequest!.Value.Value.Seconds.ShouldBe(1.25 / 3, 1e-12);
        s.TpotTokenWeighted!.Value.Value.Seconds.ShouldBe(5.0 / 14, 1e-12);
        s.PerUserTokenRate!.Value.Value.TokensPerSecond.ShouldBe(3 / 1.25, 1e-12);
    }

    [Fact]
    public void Of_gives_mean_concurrency_as_sum_of_e2e_over_duration()
    {
        Summary().MeanConcurrency.Value.ShouldBe(6.7 / 6, 1e-12);
    }

    [Fact]
    public void Of_counts_peak_output_tokens_in_one_second_buckets()
    {
        // Buckets from t=0: [0,1) 1, [1,2) 4 (r1 1.0 1.5, r2 1.2 1.7), [2,3) 3, [3,4) 4, [4,5) 4, [5,6) 1.
        Summary().PeakOutputTokenRate.Value.TokensPerSecond.ShouldBe(4, 1e-12);
    }

    [Fact]
    public void Of_checks_requested_against_actual_output_lengths()
    {
        var v = Summary().OutputLengths;
        (v.Checked, v.Exact, v.Shorter, v.Longer).ShouldBe((3, 2, 1, 0));
        v.ActualOverRequested.ShouldBe(17.0 / 18, 1e-12);
        v.AllExact.ShouldBeFalse();
    }

    [Fact]
    public void Of_gives_goodput_and_attainment_under_per_request_slos()
    {
        // r1 (TTFT 0.5, TPOT 0.5) and r2 (0.2, 0.5) meet TTFT <= 0.6 and TPOT <= 0.55; r3 (TTFT 1.0) does not.
        var slo = Summary().Slo!;
        slo.GoodRequests.ShouldBe(2);
        slo.Goodput.Value.ShouldBe(2 / 6.0, 1e-12);
        slo.GoodputTokens.Value.TokensPerSecond.ShouldBe(8 / 6.0, 1e-12);
        slo.Attainment.Value.ShouldBe(2 / 3.0, 1e-12);
    }

    [Fact]
    public void Of_judges_percentile_slos_on_the_distribution()
    {
        var results = Summary().Slo!.PercentileResults;
        results[0].ActualSeconds!.Value.ShouldBe(0.5, 1e-12);
        results[0].Met.ShouldBeTrue();
        results[1].ActualSeconds!.Value.ShouldBe(0.9, 1e-12);
        results[1].Met.ShouldBeFalse();
    }

    [Fact]
    public void Of_prices_output_total_and_goodput_tokens_and_energy()
    {
        // $3.6/h = $0.001/s. Output 17/6 tokens/s, total 177/6, goodput 8/6.
        var c = Summary().Cost!;
        c.PerMillionOutputTokens!.Value.Value.Dollars.ShouldBe(0.001 / (17 / 6.0) * 1e6, 1e-9);
        c.PerMillionTotalTokens!.Value.Value.Dollars.ShouldBe(0.001 / (177 / 6.0) * 1e6, 1e-9);
        c.PerMillionGoodputTokens!.Value.Value.Dollars.ShouldBe(0.001 / (8 / 6.0) * 1e6, 1e-9);
        c.EnergyPerOutputToken!.Value.Value.Joules.ShouldBe(700 / (17 / 6.0), 1e-9);
        c.EnergyPerTotalToken!.Value.Value.Joules.ShouldBe(700 / (177 / 6.0), 1e-9);
        // 0.1 $/kWh = 0.1 / 3.6e6 $/J; x 1.5 PUE x J/token x 1e6.
        c.ElectricityPerMillionOutputTokens!.Value.Value.Dollars.ShouldBe(700 * 1.5 * (0.1 / 3.6e6) / (17 / 6.0) * 1e6, 1e-9);
    }

    [Fact]
    public void Of_leaves_cost_and_slo_out_when_not_given()
    {
        var s = RunSummary.Of(HandRun());
        s.Slo.ShouldBeNull();
        s.Cost.ShouldBeNull();
    }

    [Fact]
    public void Of_counts_a_single_token_request_as_meeting_a_tpot_slo()
    {
        var one = Ok(1, 0, 0.1, 0.1, 0.2, 10, 1, 1, 0);
        var s = RunSummary.Of([one], new SloSpec { Tpot = Duration.FromMilliseconds(1) });
        s.Tpot.ShouldBeNull();
        s.TpotMeanPerRequest.ShouldBeNull();
        s.Slo!.GoodRequests.ShouldBe(1);
    }

    [Fact]
    public void Of_rejects_a_run_of_only_warmup_requests_with_the_fix()
    {
        var ex = Should.Throw<ArgumentException>(() => RunSummary.Of([Ok(1, 0, 1, 2, 2, 1, 2, 2, 1) with { Warmup = true }]));
        ex.Message.ShouldContain("all warm-up");
        ex.Message.ShouldContain("--warmup");
    }

    [Fact]
    public void Of_obeys_littles_law_mean_concurrency_equals_time_average_of_requests_in_flight()
    {
        // Independent check: sweep the start and end events and integrate the number in flight over the run.
        var gen =
            from n in Gen.Choose(1, 40)
            from starts in Gen.ArrayOf(Gen.Choose(0, 10_000), n)
            from lengths in Gen.ArrayOf(Gen.Choose(1, 5_000), n)
            select starts.Zip(lengths, (s, l) => (Send: s / 1000.0, E2e: l / 1000.0)).ToArray();
        Prop.ForAll(gen.ToArbitrary(), reqs =>
        {
            var records = reqs.Select((q, i) => Ok(i, q.Send, q.Send + (q.E2e / 2), q.Send + q.E2e, q.Send + q.E2e, 1, 3, 3, q.E2e / 4)).ToList();
            var s = RunSummary.Of(records);
            var events = reqs.SelectMany(q => new[] { (T: q.Send, D: 1), (T: q.Send + q.E2e, D: -1) }).OrderBy(e => e.T).ToArray();
            double area = 0, prev = events[0].T;
            var inFlight = 0;
            foreach (var (t, d) in events)
            {
                area += inFlight * (t - prev);
                inFlight += d;
                prev = t;
            }

            return Math.Abs(s.MeanConcurrency.Value - (area / s.Duration.Value.Seconds)) < 1e-9;
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Of_mean_concurrency_approaches_arrival_rate_times_latency_for_steady_arrivals()
    {
        // lambda = 4 req/s, W = 2 s, N = 4000: L = N W / ((N - 1) / lambda + W) = 8000 / 1001.75, within 0.2 % of lambda W = 8.
        var records = Enumerable.Range(0, 4000).Select(i => Ok(i, i / 4.0, (i / 4.0) + 1, (i / 4.0) + 2, (i / 4.0) + 2, 1, 3, 3, 0.5)).ToList();
        var l = RunSummary.Of(records).MeanConcurrency.Value;
        l.ShouldBe(8000 / 1001.75, 1e-9);
        l.ShouldBe(8, 8 * 0.002);
    }
}
