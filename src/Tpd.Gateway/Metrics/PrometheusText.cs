using System.Globalization;
using System.Text;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Metrics;

/// <summary>Writes the gateway's /metrics in the Prometheus text format 0.0.4. Names have no colons (those are for recording rules).</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(GatewayRuntime rt)
    {
        var s = rt.Current;
        var pool = Escape(s.Config.Pool);
        var sb = new StringBuilder(8192);
        var c = rt.Counters;

        Header(sb, "tpd_gateway_requests_total", "counter", "Requests by how they ended; every request ends in exactly one outcome.");
        foreach (var o in Enum.GetValues<Outcome>())
            Line(sb, "tpd_gateway_requests_total", $"pool=\"{pool}\",outcome=\"{o.Name()}\"", c.Count(o));
        Header(sb, "tpd_gateway_requests_received_total", "counter", "Requests received (equals the sum of outcomes once none is in progress).");
        Line(sb, "tpd_gateway_requests_received_total", $"pool=\"{pool}\"", c.Received);
        Header(sb, "tpd_gateway_retries_total", "counter", "Attempts retried on another worker after a failure before the first byte.");
        Line(sb, "tpd_gateway_retries_total", $"pool=\"{pool}\"", c.Retries);
        Header(sb, "tpd_gateway_config_reloads_total", "counter", "Config reloads by result.");
        Line(sb, "tpd_gateway_config_reloads_total", $"pool=\"{pool}\",result=\"ok\"", c.ReloadsOk);
        Line(sb, "tpd_gateway_config_reloads_total", $"pool=\"{pool}\",result=\"rejected\"", c.ReloadsFailed);

        long inFlight = 0;
        foreach (var w in s.Workers)
            inFlight += w.InFlight;
        Header(sb, "tpd_gateway_pool_requests_in_flight", "gauge", "Requests being served by the pool's workers.");
        Line(sb, "tpd_gateway_pool_requests_in_flight", $"pool=\"{pool}\"", inFlight);
        Header(sb, "tpd_gateway_queue_depth", "gauge", "Requests waiting in the gateway for a worker slot (one queue per pool).");
        Line(sb, "tpd_gateway_queue_depth", $"pool=\"{pool}\"", rt.Admission.Depth);
        Header(sb, "tpd_gateway_target_in_flight_per_worker", "gauge", "Configured concurrency one worker should carry.");
        Line(sb, "tpd_gateway_target_in_flight_per_worker", $"pool=\"{pool}\"", s.Config.Scaling.TargetInFlightPerWorker);
        Header(sb, "tpd_gateway_desired_replicas", "gauge", "ceil((in-flight + queued) / target in-flight per worker): the worker count the load asks for.");
        Line(sb, "tpd_gateway_desired_replicas", $"pool=\"{pool}\"", rt.DesiredReplicas());
        Header(sb, "tpd_gateway_workers_eligible", "gauge", "Workers that are healthy and not drained.");
        Line(sb, "tpd_gateway_workers_eligible", $"pool=\"{pool}\"", s.Workers.Count(w => w.Eligible));

        PerWorker(sb, s.Workers, pool, "tpd_gateway_requests_in_flight", "gauge", "Requests in flight on the worker.", w => w.InFlight);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_outstanding_tokens", "gauge", "Estimated tokens (prompt + max output) of the worker's in-flight requests.", w => w.OutstandingTokens);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_worker_mean_in_flight", "gauge", "Mean in-flight requests over the last window.", w => w.Meter.LastWindow.MeanInFlight);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_output_tokens_per_second", "gauge", "Output tokens/s over the last window.", w => w.Meter.LastWindow.OutputTokensPerSecond);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_input_tokens_per_second", "gauge", "Prompt tokens/s over the last window (from usage).", w => w.Meter.LastWindow.InputTokensPerSecond);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_output_tokens_total", "counter", "Output tokens relayed.", w => w.Meter.OutputTokens);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_input_tokens_total", "counter", "Prompt tokens of relayed requests (from usage).", w => w.Meter.InputTokens);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_worker_price_dollars_per_hour", "gauge", "Configured rental price of the worker.", w => w.Config.Price.DollarsPerHour);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_tokens_per_second_per_dollar", "gauge", "Output tokens/s per $/hour over the last window: the drain signal.", w => w.Meter.LastWindow.OutputTokensPerSecond / w.Config.Price.DollarsPerHour);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_dollars_per_million_tokens", "gauge", "$/1M output tokens over the last window ($/hour / (tokens/s x 3600) x 1e6); +Inf when it produced none.",
            w => w.Meter.LastWindow.OutputTokensPerSecond > 0 ? w.Config.Price.DollarsPerHour / (w.Meter.LastWindow.OutputTokensPerSecond * 3600) * 1e6 : double.PositiveInfinity);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_worker_error_ratio", "gauge", "Failed attempts / attempts over the last window.", w => w.Meter.LastWindow.ErrorRatio);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_worker_decode_tokens_per_second", "gauge", "Per-stream decode speed (1/TPOT), smoothed.", w => w.Meter.DecodeTokensPerSecond);
        PerWorker(sb, s.Workers, pool, "tpd_gateway_worker_healthy", "gauge", "1 unless ejected by failed health checks or connections.", w => (w.Block & WorkerBlock.Ejected) == 0 ? 1 : 0);
        Header(sb, "tpd_gateway_worker_drained", "gauge", "1 when the worker takes no new requests for this reason (auto: tokens/s per dollar; manual: admin API).");
        foreach (var w in s.Workers)
        {
            Line(sb, "tpd_gateway_worker_drained", $"pool=\"{pool}\",worker=\"{Escape(w.Name)}\",reason=\"auto\"", (w.Block & WorkerBlock.AutoDrained) != 0 ? 1 : 0);
            Line(sb, "tpd_gateway_worker_drained", $"pool=\"{pool}\",worker=\"{Escape(w.Name)}\",reason=\"manual\"", (w.Block & WorkerBlock.ManualDrained) != 0 ? 1 : 0);
        }
        Header(sb, "tpd_gateway_worker_requests_total", "counter", "Requests finished on the worker by outcome.");
        foreach (var w in s.Workers)
        {
            foreach (var o in (Outcome[])[Outcome.Ok, Outcome.UpstreamClientError, Outcome.UpstreamFailed, Outcome.StreamError, Outcome.ClientCancelled])
                Line(sb, "tpd_gateway_worker_requests_total", $"pool=\"{pool}\",worker=\"{Escape(w.Name)}\",outcome=\"{o.Name()}\"", w.Meter.OutcomeCount(o));
        }

        WorkerHistogram(sb, s.Workers, pool, "tpd_gateway_worker_ttft_seconds", "Time to first token from upstream send.", w => w.Meter.Ttft);
        WorkerHistogram(sb, s.Workers, pool, "tpd_gateway_worker_tpot_seconds", "Time per output token after the first ((E2E - TTFT) / (N - 1)).", w => w.Meter.Tpot);
        WorkerHistogram(sb, s.Workers, pool, "tpd_gateway_worker_e2e_seconds", "Upstream send to last token.", w => w.Meter.E2e);
        Header(sb, "tpd_gateway_ttft_seconds", "histogram", "Time to first token as the client sees it (arrival at the gateway to first token event).");
        HistogramLines(sb, "tpd_gateway_ttft_seconds", $"pool=\"{pool}\"", c.Ttft);
        Header(sb, "tpd_gateway_e2e_seconds", "histogram", "Arrival at the gateway to the end of the response, ok requests.");
        HistogramLines(sb, "tpd_gateway_e2e_seconds", $"pool=\"{pool}\"", c.E2e);
        Header(sb, "tpd_gateway_overhead_seconds", "histogram", "Time the gateway adds: arrival to upstream send (excluding queueing) plus first upstream read to client flush.");
        HistogramLines(sb, "tpd_gateway_overhead_seconds", $"pool=\"{pool}\"", c.Overhead);
        return sb.ToString();
    }

    private static void PerWorker(StringBuilder sb, WorkerState[] workers, string pool, string name, string type, string help, Func<WorkerState, double> value)
    {
        Header(sb, name, type, help);
        foreach (var w in workers)
            Line(sb, name, $"pool=\"{pool}\",worker=\"{Escape(w.Name)}\"", value(w));
    }

    private static void WorkerHistogram(StringBuilder sb, WorkerState[] workers, string pool, string name, string help, Func<WorkerState, Histogram> h)
    {
        Header(sb, name, "histogram", help);
        foreach (var w in workers)
            HistogramLines(sb, name, $"pool=\"{pool}\",worker=\"{Escape(w.Name)}\"", h(w));
    }

    private static void HistogramLines(StringBuilder sb, string name, string labels, Histogram h)
    {
        var cumulative = h.Cumulative();
        for (var i = 0; i < h.Bounds.Length; i++)
            Line(sb, name + "_bucket", $"{labels},le=\"{Number(h.Bounds[i])}\"", cumulative[i]);
        Line(sb, name + "_bucket", $"{labels},le=\"+Inf\"", cumulative[^1]);
        Line(sb, name + "_sum", labels, h.SumSeconds);
        Line(sb, name + "_count", labels, cumulative[^1]);
    }

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder sb, string name, string labels, double value) =>
        sb.Append(name).Append('{').Append(labels).Append("} ").Append(Number(value)).Append('\n');

    private static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("G17", CultureInfo.InvariantCulture) is var g && g.Length > 12 ? v.ToString("G9", CultureInfo.InvariantCulture) : g;

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
