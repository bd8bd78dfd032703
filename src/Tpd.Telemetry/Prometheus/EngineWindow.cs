using Tpd.Core.Units;

namespace Tpd.Telemetry.Prometheus;

/// <summary>
/// What a serving engine did between two scrapes a window apart: live token rates from counter deltas,
/// queue versus inference time from histogram deltas, preemptions, and the queue state at the end.
/// Counters that went down (a restart) count from zero, as Prometheus' rate() does.
/// </summary>
public sealed record EngineWindow
{
    public required ServingEngine Engine { get; init; }
    public required Duration Window { get; init; }
    public TokenRate? PromptTokenRate { get; init; }
    public TokenRate? GenerationTokenRate { get; init; }
    public double? Preemptions { get; init; }

    /// <summary>Requests that finished in the window (count delta of the inference, end-to-end or queue histogram).</summary>
    public double? RequestsFinished { get; init; }

    public HistogramTotals? QueueTime { get; init; }

    /// <summary>Scheduling to last token. For engines without such a histogram (SGLang) it is end-to-end minus queue time, and <see cref="InferenceTimeDerived"/> is set.</summary>
    public HistogramTotals? InferenceTime { get; init; }

    public bool InferenceTimeDerived { get; init; }
    public HistogramTotals? TimeToFirstToken { get; init; }
    public HistogramTotals? InterTokenLatency { get; init; }

    public double? MeanQueueSeconds => QueueTime?.Mean;
    public double? MeanInferenceSeconds => InferenceTime?.Mean;

    /// <summary>Queue time over queue plus inference time, summed over the window's requests (0..1).</summary>
    public double? QueueShare =>
        QueueTime is { } q && InferenceTime is { } i && q.Sum + i.Sum > 0 ? q.Sum / (q.Sum + i.Sum) : null;

    public double? RequestsRunning { get; init; }
    public double? RequestsWaiting { get; init; }

    /// <summary>The higher KV usage of the two scrapes.</summary>
    public double? KvCacheUsage { get; init; }

    public bool CounterReset { get; init; }

    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The engine of the first scrape when the second came from another one, or from none (an empty or foreign
    /// page): the metrics changed or vanished, and nothing in this window was measured.
    /// </summary>
    public ServingEngine? EarlierEngine { get; init; }

    /// <summary>Metrics the first scrape had and the second lacks (their deltas could not be taken).</summary>
    public IReadOnlyList<string> VanishedMetrics { get; init; } = [];

    /// <summary>Metrics of either scrape with values they cannot have; left out of every figure above.</summary>
    public IReadOnlyList<InvalidMetric> InvalidMetrics { get; init; } = [];

    /// <summary>
    /// The window between scrapes of two different engines, or of an engine and a page without one: no rates,
    /// only what changed. <see cref="Between"/> refuses such a pair; the sampler, which cannot choose what the
    /// server answers, comes here instead.
    /// </summary>
    public static EngineWindow Changed(EngineSnapshot earlier, EngineSnapshot later, Duration window)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        return new EngineWindow
        {
            Engine = later.Engine,
            EarlierEngine = earlier.Engine,
            Window = window,
            VanishedMetrics = Vanished(earlier, later),
            InvalidMetrics = [.. earlier.Invalid, .. later.Invalid],
            Sources = later.Sources,
        };
    }

    private static List<string> Vanished(EngineSnapshot earlier, EngineSnapshot later) =>
        earlier.Sources.Where(kv => !later.Sources.ContainsKey(kv.Key)).Select(kv => kv.Value).Order(StringComparer.Ordinal).ToList();

    public static EngineWindow Between(EngineSnapshot earlier, EngineSnapshot later, Duration window)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        if (window <= Duration.Zero)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"the window between two scrapes must be positive, got {window}; scrape twice with a pause, e.g. --window 30s");
        if (earlier.Engine != later.Engine)
            throw new ArgumentException($"the two scrapes come from different engines ({earlier.Engine} then {later.Engine}); scrape the same server twice", nameof(later));

        var reset = false;
        double? Delta(double? a, double? b)
        {
            if (a is not { } x || b is not { } y)
                return null;
            if (y >= x)
                return y - x;
            reset = true;
            return y;
        }

        HistogramTotals? HDelta(HistogramTotals? a, HistogramTotals? b)
        {
            if (a is null || b is null)
                return null;
            if (b.Count < a.Count)
                reset = true;
            return b.Minus(a);
        }

        var queue = HDelta(earlier.QueueTime, later.QueueTime);
        var inference = HDelta(earlier.InferenceTime, later.InferenceTime);
        var e2e = HDelta(earlier.EndToEnd, later.EndToEnd);
        var derived = false;
        if (inference is null && queue is not null && e2e is not null && e2e.Count > 0)
        {
            inference = new HistogramTotals(Math.Max(0, e2e.Sum - queue.Sum), e2e.Count, []);
            derived = true;
        }

        var prompt = Delta(earlier.PromptTokensTotal, later.PromptTokensTotal);
        var generation = Delta(earlier.GenerationTokensTotal, later.GenerationTokensTotal);
        return new EngineWindow
        {
            Engine = later.Engine,
            Window = window,
            PromptTokenRate = prompt is { } p ? TokenRate.Of(p, window) : null,
            GenerationTokenRate = generation is { } g ? TokenRate.Of(g, window) : null,
            Preemptions = Delta(earlier.PreemptionsTotal, later.PreemptionsTotal),
            RequestsFinished = (inference ?? e2e ?? queue)?.Count,
            QueueTime = queue,
            InferenceTime = inference,
            InferenceTimeDerived = derived,
            TimeToFirstToken = HDelta(earlier.TimeToFirstToken, later.TimeToFirstToken),
            InterTokenLatency = HDelta(earlier.InterTokenLatency, later.InterTokenLatency),
            RequestsRunning = later.RequestsRunning,
            RequestsWaiting = later.RequestsWaiting,
            KvCacheUsage = earlier.KvCacheUsage is { } k0 && later.KvCacheUsage is { } k1 ? Math.Max(k0, k1) : later.KvCacheUsage ?? earlier.KvCacheUsage,
            CounterReset = reset,
            Sources = later.Sources,
            VanishedMetrics = Vanished(earlier, later),
            InvalidMetrics = [.. earlier.Invalid, .. later.Invalid],
        };
    }
}
