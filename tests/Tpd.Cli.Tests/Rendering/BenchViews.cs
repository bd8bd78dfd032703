using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Prediction;
using Tpd.Bench.Sweep;
using Tpd.Cli.Commands;
using Tpd.Cli.Rendering;
using Tpd.Core.Measurement;
using Tpd.Core.Units;

namespace Tpd.Cli.Tests.Rendering;

/// <summary>Deterministic bench results for golden files: synthetic records, fixed client load, no clock.</summary>
internal static class BenchViews
{
    public static readonly SloSpec Slo = SloSpec.Parse("ttft<=100ms, p90 e2e<=2s");
    public static readonly CostInputs Cost = new() { Price = MoneyRate.FromDollarsPerHour(2.5) };

    public static BenchSettings Settings(LoadPlan plan) => new()
    {
        Endpoint = new EndpointOptions { BaseUri = new("http://127.0.0.1:8000/"), Model = "llama" },
        Plan = plan,
        Source = new RandomTokenSource(256, 10),
        Workload = "random prompts, 256 tokens in, 10 out",
        Slo = Slo,
        Cost = Cost,
        RecordsPath = "bench-records.jsonl",
    };

    /// <summary>
    /// n requests due every 1/rate s, TTFT from <paramref name="ttft"/> up by <paramref name="growth"/> each, 10 tokens
    /// 10 ms apart (9 gaps kept); every 10th request an HTTP 429 when <paramref name="errors"/>; the 7th stopped short at 8 tokens.
    /// </summary>
    public static LoadResult Result(int n, double rate, double ttft = 0.04, double growth = 0, bool errors = false, int? cap = null, double cpu = 1)
    {
        var records = new List<RequestRecord>();
        for (var i = 0; i < n; i++)
        {
            var due = i / rate;
            var first = due + ttft + (growth * i);
            if (errors && i % 10 == 9)
            {
                records.Add(new RequestRecord { Id = i, Outcome = RequestOutcome.Error, ErrorClass = "http_429", HttpStatus = 429, ScheduledSeconds = due, SendSeconds = due, EndSeconds = due + 0.002, InputTokens = 256, OutputTokens = 0, RequestedOutputTokens = 10 });
                continue;
            }

            var tokens = i == 6 ? 8 : 10;
            records.Add(new RequestRecord
            {
                Id = i,
                Outcome = RequestOutcome.Ok,
                ScheduledSeconds = due,
                SendSeconds = due + 0.001,
                FirstTokenSeconds = first,
                LastTokenSeconds = first + ((tokens - 1) * 0.01),
                EndSeconds = first + ((tokens - 1) * 0.01) + 0.001,
                InputTokens = 256,
                OutputTokens = tokens,
                RequestedOutputTokens = 10,
                CachedInputTokens = i % 2 == 0 ? 128 : 0,
                InterTokenGaps = [.. Enumerable.Repeat(0.01, tokens - 1)],
            });
        }

        return new LoadResult(records, ScheduleAdherence.Of(records, 0.01, cap is null ? rate : rate), new ClientLoad(10, cpu * 4 * 10 / 100, 4), []);
    }

    public static BenchView Single(bool withPrediction = false)
    {
        var plan = new LoadPlan { Rate = 4, MaxRequests = 40 };
        var result = Result(40, 4, errors: true);
        var summary = RunSummary.Of(result.Records, Slo, Cost);
        Prediction? prediction = null;
        if (withPrediction)
        {
            var predicted = RunSummary.Of(Result(40, 4, ttft: 0.05).Records, Slo, Cost);
            prediction = new Prediction(predicted, new Simulation.Fleet.SimulationResult(40, 40, 0, 10, []), Predictor.Compare(summary, predicted));
        }

        var settings = Settings(plan);
        if (withPrediction)
            settings = settings with { Predict = BenchPredict.Read("h100-sxm:tp=1", "llama-3.1-8b", null, new Input.PhysicalFiles(), new Input.InputErrors()) };
        return new BenchView(settings, result, summary, prediction, []);
    }

    public static BenchSweepView Sweep()
    {
        var plan = new SweepPlan { Rates = 3, SaturationConcurrency = 32, Point = new LoadPlan { MaxRequests = 40 } };
        var sweep = SweepRunner.RunAsync(
            plan,
            (spec, _) => Task.FromResult(spec.Kind switch
            {
                SweepPointKind.Synchronous => Result(40, 2, ttft: 0.03),
                SweepPointKind.Saturation => Result(40, 16, ttft: 0.4, cpu: 85),
                // Above 10 req/s the queue builds: TTFT grows by 5 ms a request.
                _ => Result(40, spec.Plan.Rate!.Value, ttft: 0.04, growth: spec.Plan.Rate > 10 ? 0.005 : 0),
            }),
            records => RunSummary.Of(records, Slo, Cost),
            Slo).GetAwaiter().GetResult();
        return new BenchSweepView(Settings(plan.Point), sweep, [.. sweep.Points.Select(_ => (Prediction?)null)], []);
    }
}
