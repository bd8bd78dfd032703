using Tpd.Gateway.Config;

namespace Tpd.Gateway.Metering;

/// <summary>One worker's view for a judging window.</summary>
public readonly record struct WorkerWindow(
    string Name,
    double DollarsPerHour,
    WindowSample Sample,
    double DecodeTokensPerSecond,
    bool Eligible);

public enum DrainAction
{
    Drain,
    Readmit,
}

public sealed record DrainDecision(string Worker, DrainAction Action, string Reason);

/// <summary>
/// The seed's scaling rule as a state machine: a worker whose output tokens/s per $/hour stays below the
/// threshold for N consecutive windows, while loaded enough to judge, is drained; a drained worker is probed
/// and readmitted after consecutive probes clear the threshold by the hysteresis margin.
/// Pure: windows and probe results in, decisions out. Called from one thread (the window tick).
/// </summary>
public sealed class DrainTracker
{
    private readonly Dictionary<string, int> _slowWindows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Drained> _drained = new(StringComparer.Ordinal);

    private sealed class Drained
    {
        public required double RequiredProbeSpeed { get; init; }
        public int GoodProbes { get; set; }
    }

    public bool IsDrained(string worker) => _drained.ContainsKey(worker);

    public int SlowWindows(string worker) => _slowWindows.GetValueOrDefault(worker);

    /// <summary>Decode tokens/s a probe must reach for readmission; null when the worker is not drained.</summary>
    public double? RequiredProbeSpeed(string worker) => _drained.TryGetValue(worker, out var d) ? d.RequiredProbeSpeed : null;

    /// <summary>Efficiency = output tokens/s per $/hour.</summary>
    public static double Efficiency(in WorkerWindow w) => w.Sample.OutputTokensPerSecond / w.DollarsPerHour;

    public IReadOnlyList<DrainDecision> OnWindow(DrainConfig config, IReadOnlyList<WorkerWindow> windows)
    {
        var decisions = new List<DrainDecision>();
        if (!config.Enabled)
            return decisions;

        // Only loaded workers are judged, and only they set the pool median: an idle worker is demand-limited, not slow.
        var judged = windows.Where(w => w.Eligible && w.Sample.MeanInFlight >= config.MinInFlight).ToList();
        var eligible = windows.Count(w => w.Eligible);
        foreach (var w in windows)
        {
            if (!w.Eligible || w.Sample.MeanInFlight < config.MinInFlight)
            {
                // Not judged this window: the count of consecutive slow windows restarts.
                _slowWindows.Remove(w.Name);
                continue;
            }

            var threshold = Threshold(config, judged, w.Name);
            if (threshold is not { } limit || Efficiency(w) >= limit)
            {
                _slowWindows.Remove(w.Name);
                continue;
            }

            var slow = _slowWindows.GetValueOrDefault(w.Name) + 1;
            _slowWindows[w.Name] = slow;
            // Never drain the last eligible worker: a slow worker still serves, an empty pool does not.
            if (slow < config.Windows || eligible <= 1)
                continue;

            _slowWindows.Remove(w.Name);
            eligible--;
            var efficiency = Efficiency(w);
            var required = RequiredProbeSpeed(config, judged, w, limit);
            _drained[w.Name] = new Drained { RequiredProbeSpeed = required };
            decisions.Add(new DrainDecision(w.Name, DrainAction.Drain,
                $"{efficiency:F1} tokens/s per $/hour < threshold {limit:F1} for {config.Windows} windows at mean in-flight {w.Sample.MeanInFlight:F1}; readmit when a probe decodes at >= {required:F1} tokens/s"));
        }
        return decisions;
    }

    /// <summary>A probe of a drained worker measured this per-stream decode speed (null: the probe failed).</summary>
    public DrainDecision? OnProbe(DrainConfig config, string worker, double? decodeTokensPerSecond)
    {
        if (!_drained.TryGetValue(worker, out var d))
            return null;
        if (decodeTokensPerSecond is not { } speed || speed < d.RequiredProbeSpeed)
        {
            d.GoodProbes = 0;
            return null;
        }
        d.GoodProbes++;
        if (d.GoodProbes < config.ReadmitProbes)
            return null;
        _drained.Remove(worker);
        return new DrainDecision(worker, DrainAction.Readmit,
            $"{config.ReadmitProbes} probes decoded at >= {d.RequiredProbeSpeed:F1} tokens/s (last {speed:F1})");
    }

    /// <summary>Forgets a worker (removed from the config, or undrained by hand).</summary>
    public void Forget(string worker)
    {
        _slowWindows.Remove(worker);
        _drained.Remove(worker);
    }

    /// <summary>
    /// The per-stream decode speed a probe must show. Loaded peers say how many tokens/s a worker delivers per
    /// token/s of decode speed (about its concurrency): at that ratio, this worker at its price sits exactly on
    /// the threshold at speed limit x price x ratio; the hysteresis margin goes on top. Without peers the
    /// worker's own ratio at drain time is used (it lags: the decode speed is smoothed over recent requests).
    /// </summary>
    internal static double RequiredProbeSpeed(DrainConfig config, IReadOnlyList<WorkerWindow> judged, in WorkerWindow w, double limit)
    {
        var name = w.Name;
        var ratios = judged.Where(p => p.Name != name && p.DecodeTokensPerSecond > 0 && p.Sample.OutputTokensPerSecond > 0)
            .Select(p => p.DecodeTokensPerSecond / p.Sample.OutputTokensPerSecond).Order().ToArray();
        double ratio;
        if (ratios.Length > 0)
            ratio = ratios[ratios.Length / 2];
        else if (w.DecodeTokensPerSecond > 0 && w.Sample.OutputTokensPerSecond > 0)
            ratio = w.DecodeTokensPerSecond / w.Sample.OutputTokensPerSecond;
        else
            return 0;
        return limit * w.DollarsPerHour * ratio * (1 + config.Hysteresis);
    }

    internal static double? Threshold(DrainConfig config, IReadOnlyList<WorkerWindow> judged, string self)
    {
        double? limit = config.MinTokensPerSecondPerDollar;
        if (config.RelativeToMedian is { } fraction)
        {
            var peers = judged.Where(p => p.Name != self).Select(p => Efficiency(p)).Order().ToArray();
            if (peers.Length > 0)
            {
                var median = peers.Length % 2 == 1 ? peers[peers.Length / 2] : (peers[(peers.Length / 2) - 1] + peers[peers.Length / 2]) / 2;
                var relative = fraction * median;
                limit = limit is { } a ? Math.Max(a, relative) : relative;
            }
        }
        return limit;
    }
}
