using System.Globalization;
using Tpd.Core.Measurement;
using Tpd.Plan.Request;
using Tpd.Simulation.Fleet;

namespace Tpd.Plan.Search;

/// <summary>One simulation of one replica at one load, judged against the SLOs.</summary>
internal sealed record TrialResult(
    double Load,
    bool Passed,
    IReadOnlyList<string> Failed,
    bool TtftFailed,
    bool TpotFailed,
    int Requests,
    double? P50Tpot,
    double MeanConcurrency,
    double OutputTokensPerSecond,
    long Preemptions,
    double PeakKvUsage,
    long Rejected);

internal static class Trial
{
    public static TrialResult Run(PlanRequest request, ViableCandidate c, double load)
    {
        var options = new SimulationOptions { Engine = c.Engine, Horizon = request.Horizon, Seed = request.Seed };
        var workload = request.Demand.SearchesUsers
            ? request.Preset.ForUsers((int)load)
            : request.Preset.AtRate(load);
        var sink = new WarmupMarkingSink(request.Warmup.Seconds);
        var sim = Simulator.Run(options, c.StepModel, workload, sink);

        if (sink.Counted == 0)
        {
            // Nothing arrived after the warm-up: no evidence against the SLOs, and nothing to measure.
            return new TrialResult(load, sim.Rejected == 0, sim.Rejected == 0 ? [] : ["requests too long for the KV cache"], false, false, 0, null, 0, 0, sim.Preemptions, Peak(sim), sim.Rejected);
        }

        var summary = RunSummary.Of(sink.Records, request.Slo);
        var failed = new List<string>();
        bool ttft = false, tpot = false;
        if (sim.Rejected > 0)
            failed.Add(Inv($"{sim.Rejected} requests too long for the KV cache"));
        foreach (var r in summary.Slo!.PercentileResults.Where(r => !r.Met))
        {
            failed.Add(r.ActualSeconds is { } a ? Inv($"{r.Slo} (was {a:G4} s)") : Inv($"{r.Slo} (no samples)"));
            ttft |= r.Slo.Metric is LatencyMetric.Ttft or LatencyMetric.Ttfot;
            tpot |= r.Slo.Metric is LatencyMetric.Tpot or LatencyMetric.Itl;
        }

        if (request.Slo.HasPerRequestLimits && summary.Slo.Attainment.Value < request.MinAttainment)
        {
            failed.Add(Inv($"{summary.Slo.Attainment.Value:P1} of requests met the per-request limits, below {request.MinAttainment:P0}"));
            var ok = sink.Records.Where(r => !r.Warmup && r.Outcome == RequestOutcome.Ok).ToList();
            ttft |= request.Slo.Ttft is { } tl && ok.Any(r => r.TtftSeconds > tl.Seconds);
            tpot |= request.Slo.Tpot is { } pl && ok.Any(r => r.TpotSeconds > pl.Seconds);
        }

        return new TrialResult(
            load,
            failed.Count == 0,
            failed,
            ttft,
            tpot,
            summary.Requests,
            summary.Tpot?.P50,
            summary.MeanConcurrency.Value,
            summary.OutputTokenThroughput.Value.TokensPerSecond,
            sim.Preemptions,
            Peak(sim),
            sim.Rejected);
    }

    private static double Peak(SimulationResult sim) => sim.Replicas.Count == 0 ? 0 : sim.Replicas.Max(r => r.PeakKvUsage);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Keeps records, marking those sent during the warm-up so that the summary leaves them out.</summary>
    private sealed class WarmupMarkingSink(double warmupSeconds) : IRecordSink
    {
        private readonly List<RequestRecord> _records = [];

        public IReadOnlyList<RequestRecord> Records => _records;

        public int Counted { get; private set; }

        public void Add(RequestRecord record)
        {
            if (record.SendSeconds < warmupSeconds)
            {
                _records.Add(record with { Warmup = true });
                return;
            }

            Counted++;
            _records.Add(record);
        }
    }
}
