using Tpd.Core.Units;

namespace Tpd.Core.Measurement;

public sealed partial record RunSummary
{
    /// <summary>
    /// Summarizes a run. Duration runs from the first dispatch (min t_send) to the last completion (max t_end,
    /// else t_last, headers or t_send) over all non-warm-up requests, errors included, so a run that ends in
    /// failures is not shortened.
    /// </summary>
    /// <exception cref="ArgumentException">No non-warm-up request, or a zero duration.</exception>
    public static RunSummary Of(IReadOnlyList<RequestRecord> records, SloSpec? slo = null, CostInputs? cost = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var run = records.Where(r => !r.Warmup).ToList();
        if (run.Count == 0)
            throw new ArgumentException($"no requests to summarize ({records.Count} records, all warm-up); run more requests than --warmup", nameof(records));

        var first = run.Min(r => r.SendSeconds);
        var last = run.Max(CompletionSeconds);
        var seconds = last - first;
        if (!(seconds > 0))
            throw new ArgumentException($"the run lasted {seconds} s (first dispatch {first} s, last completion {last} s); a summary needs a positive duration", nameof(records));
        var duration = Units.Duration.FromSeconds(seconds);

        var ok = run.Where(r => r.Outcome == RequestOutcome.Ok).ToList();
        var notOk = run.Where(r => r.Outcome != RequestOutcome.Ok).ToList();
        var byClass = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in notOk)
        {
            var key = r.ErrorClass ?? (r.Outcome == RequestOutcome.Incomplete ? "incomplete" : "error");
            byClass[key] = byClass.GetValueOrDefault(key) + 1;
        }

        long input = ok.Sum(r => (long)r.InputTokens);
        long output = ok.Sum(r => (long)r.OutputTokens);
        var outputRate = TokenRate.FromTokensPerSecond(output / seconds);
        var totalRate = TokenRate.FromTokensPerSecond((input + output) / seconds);

        var tpots = ok.Where(r => r.TpotSeconds is not null).ToList();
        Measured<Units.Duration>? tpotMean = null, tpotWeighted = null;
        Measured<TokenRate>? perUser = null;
        if (tpots.Count > 0)
        {
            var mean = Percentiles.Mean(tpots.Select(r => r.TpotSeconds!.Value).ToArray());
            tpotMean = new(Units.Duration.FromSeconds(mean), Formulas.TpotMeanPerRequest);
            var decode = tpots.Sum(r => r.LastTokenSeconds!.Value - r.FirstTokenSeconds!.Value);
            var intervals = tpots.Sum(r => (long)(r.OutputTokens - 1));
            tpotWeighted = new(Units.Duration.FromSeconds(decode / intervals), Formulas.TpotTokenWeighted);
            if (mean > 0)
                perUser = new(TokenRate.FromTokensPerSecond(1 / mean), Formulas.PerUserTokenRate);
        }

        var sumE2e = ok.Sum(r => r.E2eSeconds ?? 0);

        var summary = new RunSummary
        {
            Requests = run.Count,
            WarmupExcluded = records.Count - run.Count,
            Ok = ok.Count,
            Incomplete = notOk.Count(r => r.Outcome == RequestOutcome.Incomplete),
            Errors = notOk.Count(r => r.Outcome == RequestOutcome.Error),
            ByErrorClass = byClass,
            ErrorRate = new((double)notOk.Count / run.Count, Formulas.ErrorRate),
            FirstDispatchSeconds = first,
            Duration = new(duration, Formulas.Duration),
            RequestThroughput = new(ok.Count / seconds, Formulas.RequestThroughput),
            OutputTokenThroughput = new(outputRate, Formulas.OutputTokenThroughput),
            TotalTokenThroughput = new(totalRate, Formulas.TotalTokenThroughput),
            PeakOutputTokenRate = new(TokenRate.FromTokensPerSecond(TokenTimeline.PeakTokensPerSecond(ok, first)), Formulas.PeakOutputTokenRate),
            InputTokens = input,
            OutputTokens = output,
            OutputTokensFromEventCount = ok.Count(r => r.OutputTokensSource == TokenCountSource.EventCount),
            Ttft = LatencyStats.Of(LatencyMetric.Ttft, Values(ok, r => r.TtftSeconds)),
            Ttfot = LatencyStats.Of(LatencyMetric.Ttfot, Values(ok, r => r.FirstContentSeconds - r.SendSeconds)),
            Tpot = LatencyStats.Of(LatencyMetric.Tpot, Values(ok, r => r.TpotSeconds)),
            Itl = LatencyStats.Of(LatencyMetric.Itl, ok.SelectMany(r => r.InterTokenGaps)),
            E2e = LatencyStats.Of(LatencyMetric.E2e, Values(ok, r => r.E2eSeconds)),
            E2eToEnd = LatencyStats.Of(LatencyMetric.E2eToEnd, Values(ok, r => r.EndSeconds - r.SendSeconds)),
            Ntpot = LatencyStats.Of(LatencyMetric.Ntpot, Values(ok, r => r.OutputTokens >= 1 ? r.E2eSeconds / r.OutputTokens : null)),
            TpotMeanPerRequest = tpotMean,
            TpotTokenWeighted = tpotWeighted,
            PerUserTokenRate = perUser,
            MeanConcurrency = new(sumE2e / seconds, Formulas.MeanConcurrency),
            OutputLengths = Validity(ok),
        };

        var withSlo = slo is null ? summary : summary with { Slo = SummarizeSlo(summary, ok, slo, seconds) };
        return cost is null ? withSlo : withSlo with { Cost = SummarizeCost(withSlo, cost) };
    }

    /// <summary>When a request finished: t_end, else t_last, else headers, else t_send.</summary>
    public static double CompletionSeconds(RequestRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.EndSeconds ?? r.LastTokenSeconds ?? r.HeadersSeconds ?? r.SendSeconds;
    }

    private static IEnumerable<double> Values(IEnumerable<RequestRecord> rs, Func<RequestRecord, double?> f) =>
        rs.Select(f).Where(v => v is not null).Select(v => v!.Value);

    private static OutputLengthValidity Validity(List<RequestRecord> ok)
    {
        var asked = ok.Where(r => r.RequestedOutputTokens is not null).ToList();
        long requested = asked.Sum(r => (long)r.RequestedOutputTokens!.Value);
        long actual = asked.Sum(r => (long)r.OutputTokens);
        return new OutputLengthValidity
        {
            Checked = asked.Count,
            Exact = asked.Count(r => r.OutputTokens == r.RequestedOutputTokens),
            Shorter = asked.Count(r => r.OutputTokens < r.RequestedOutputTokens),
            Longer = asked.Count(r => r.OutputTokens > r.RequestedOutputTokens),
            ActualOverRequested = requested == 0 ? 1 : (double)actual / requested,
        };
    }

    private static SloSummary SummarizeSlo(RunSummary s, List<RequestRecord> ok, SloSpec slo, double seconds)
    {
        var good = ok.Where(slo.IsGood).ToList();
        long goodTokens = good.Sum(r => (long)r.OutputTokens);
        var results = slo.Percentiles
            .Select(p => new PercentileSloResult(p, s.Stats(p.Metric)?.Percentile(p.Percentile)))
            .ToList();
        return new SloSummary
        {
            Spec = slo,
            GoodRequests = good.Count,
            Goodput = new(good.Count / seconds, Formulas.Goodput),
            GoodputTokens = new(TokenRate.FromTokensPerSecond(goodTokens / seconds), Formulas.GoodputTokens),
            Attainment = new(ok.Count == 0 ? 0 : (double)good.Count / ok.Count, Formulas.SloAttainment),
            PercentileResults = results,
        };
    }

    private static CostSummary SummarizeCost(RunSummary s, CostInputs c)
    {
        var output = s.OutputTokenThroughput.Value;
        var total = s.TotalTokenThroughput.Value;
        var goodput = s.Slo?.GoodputTokens.Value;
        return new CostSummary
        {
            PerMillionOutputTokens = PerMillion(c.Price, output, Formulas.CostPerMillionOutput),
            PerMillionTotalTokens = PerMillion(c.Price, total, Formulas.CostPerMillionTotal),
            PerMillionGoodputTokens = goodput is { } g ? PerMillion(c.Price, g, Formulas.CostPerMillionGoodput) : null,
            EnergyPerOutputToken = PerToken(c.Power, output, Formulas.JoulesPerOutputToken),
            EnergyPerTotalToken = PerToken(c.Power, total, Formulas.JoulesPerTotalToken),
            ElectricityPerMillionOutputTokens = c.Power is { } w && c.Electricity is { } tariff && output.TokensPerSecond > 0
                ? new(Money.FromDollars(w.Watts * c.Pue * tariff.DollarsPerJoule / output.TokensPerSecond * 1e6), Formulas.ElectricityPerMillionOutput)
                : null,
        };
    }

    private static Measured<Money>? PerMillion(MoneyRate? price, TokenRate rate, string formula) =>
        price is { } p && rate.TokensPerSecond > 0 ? new(Money.FromDollars(p.DollarsPerMillion(rate)), formula) : null;

    private static Measured<Energy>? PerToken(Power? power, TokenRate rate, string formula) =>
        power is { } w && rate.TokensPerSecond > 0 ? new(Energy.FromJoules(w.Watts / rate.TokensPerSecond), formula) : null;
}
