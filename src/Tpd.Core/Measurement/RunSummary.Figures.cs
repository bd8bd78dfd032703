namespace Tpd.Core.Measurement;

/// <summary>One number of a run, flat, for tables, CSV and JSON: the unit is in the name and beside it.</summary>
public sealed record Figure(string Name, double Value, string Unit, string Formula);

public sealed partial record RunSummary
{
    /// <summary>
    /// Every number of the summary as a flat list in a stable order, each with its formula: what a CSV row
    /// or a report table prints. Metrics without samples or inputs are left out.
    /// </summary>
    public IEnumerable<Figure> Figures()
    {
        yield return new("requests", Requests, "requests", "non-warm-up requests");
        yield return new("ok_requests", Ok, "requests", "requests that streamed to [DONE] without an error");
        yield return new("incomplete_requests", Incomplete, "requests", "streams that ended early");
        yield return new("error_requests", Errors, "requests", "HTTP errors, error events, timeouts, refused or reset connections");
        yield return new("error_rate", ErrorRate.Value, "ratio", ErrorRate.Formula);
        yield return new("duration_seconds", Duration.Value.Seconds, "s", Duration.Formula);
        yield return new("request_throughput_per_second", RequestThroughput.Value, "requests/s", RequestThroughput.Formula);
        yield return new("output_token_throughput_tokens_per_second", OutputTokenThroughput.Value.TokensPerSecond, "tokens/s", OutputTokenThroughput.Formula);
        yield return new("total_token_throughput_tokens_per_second", TotalTokenThroughput.Value.TokensPerSecond, "tokens/s", TotalTokenThroughput.Formula);
        yield return new("peak_output_tokens_per_second", PeakOutputTokenRate.Value.TokensPerSecond, "tokens/s", PeakOutputTokenRate.Formula);
        yield return new("input_tokens", InputTokens, "tokens", "sum N_in of ok requests");
        yield return new("output_tokens", OutputTokens, "tokens", "sum N_out of ok requests");
        yield return new("mean_concurrency", MeanConcurrency.Value, "requests", MeanConcurrency.Formula);
        if (TpotMeanPerRequest is { } tm)
            yield return new("tpot_mean_per_request_seconds", tm.Value.Seconds, "s", tm.Formula);
        if (TpotTokenWeighted is { } tw)
            yield return new("tpot_token_weighted_seconds", tw.Value.Seconds, "s", tw.Formula);
        if (PerUserTokenRate is { } pu)
            yield return new("per_user_tokens_per_second", pu.Value.TokensPerSecond, "tokens/s", pu.Formula);

        foreach (var metric in Enum.GetValues<LatencyMetric>())
        {
            if (Stats(metric) is not { } s)
                continue;
            var name = metric switch
            {
                LatencyMetric.E2eToEnd => "e2e_to_end",
                _ => metric.ToString().ToLowerInvariant(),
            };
            var f = s.Formula;
            yield return new($"{name}_mean_seconds", s.Mean, "s", f);
            yield return new($"{name}_std_seconds", s.Std, "s", f + "; population std");
            yield return new($"{name}_min_seconds", s.Min, "s", f);
            yield return new($"{name}_p50_seconds", s.P50, "s", f + "; linear interpolation (NumPy default)");
            yield return new($"{name}_p90_seconds", s.P90, "s", f + "; linear interpolation (NumPy default)");
            yield return new($"{name}_p95_seconds", s.P95, "s", f + "; linear interpolation (NumPy default)");
            yield return new($"{name}_p99_seconds", s.P99, "s", f + "; linear interpolation (NumPy default)");
            yield return new($"{name}_max_seconds", s.Max, "s", f);
        }

        yield return new("output_length_exact_share", OutputLengths.Checked == 0 ? 1 : (double)OutputLengths.Exact / OutputLengths.Checked, "ratio", OutputLengthValidity.Formula);
        yield return new("output_length_actual_over_requested", OutputLengths.ActualOverRequested, "ratio", OutputLengthValidity.Formula);

        if (Slo is { } slo)
        {
            yield return new("goodput_requests_per_second", slo.Goodput.Value, "requests/s", slo.Goodput.Formula);
            yield return new("goodput_tokens_per_second", slo.GoodputTokens.Value.TokensPerSecond, "tokens/s", slo.GoodputTokens.Formula);
            yield return new("slo_attainment", slo.Attainment.Value, "ratio", slo.Attainment.Formula);
        }

        if (Cost is { } c)
        {
            if (c.PerMillionOutputTokens is { } o)
                yield return new("usd_per_million_output_tokens", o.Value.Dollars, "USD", o.Formula);
            if (c.PerMillionTotalTokens is { } t)
                yield return new("usd_per_million_total_tokens", t.Value.Dollars, "USD", t.Formula);
            if (c.PerMillionGoodputTokens is { } g)
                yield return new("usd_per_million_goodput_tokens", g.Value.Dollars, "USD", g.Formula);
            if (c.EnergyPerOutputToken is { } eo)
                yield return new("joules_per_output_token", eo.Value.Joules, "J", eo.Formula);
            if (c.EnergyPerTotalToken is { } et)
                yield return new("joules_per_total_token", et.Value.Joules, "J", et.Formula);
            if (c.ElectricityPerMillionOutputTokens is { } el)
                yield return new("electricity_usd_per_million_output_tokens", el.Value.Dollars, "USD", el.Formula);
        }
    }
}
