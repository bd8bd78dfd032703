using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>Thermal: near the slowdown threshold, a thermal slowdown reason active, or its counter growing.</summary>
internal static class ThermalRules
{
    public static IEnumerable<Finding> Evaluate(GpuContext c)
    {
        var t = c.Now.Temperature;
        var idx = c.Now.Index;
        var thermalActive = c.Active(ClockEventReasons.SwThermalSlowdown) || c.Active(ClockEventReasons.HwThermalSlowdown);
        var fix = $"improve airflow or fan curves; until then cap power to hold clocks steady: `sudo nvidia-smi -i {idx} -pl {LowerLimit(c)}`";

        if (t.SlowdownHeadroomCelsius is { } headroom && headroom <= c.Options.ThermalMarginCelsius)
        {
            var ev = new List<Evidence>();
            if (t.GpuCelsius is { } g)
                ev.Add(new("temperature.gpu_temp", $"{GpuContext.Fmt(g)} C"));
            if (t.SlowdownCelsius is { } s)
                ev.Add(new("temperature.gpu_temp_slow_threshold", $"{GpuContext.Fmt(s)} C"));
            if (t.SlowdownCelsius is null && t.TLimitCelsius is { } tl)
            {
                ev.Add(new("temperature.gpu_temp_tlimit", $"{GpuContext.Fmt(tl)} C"));
                ev.Add(new("temperature.gpu_temp_slow_tlimit_threshold", $"{GpuContext.Fmt(t.SlowdownTLimitCelsius!.Value)} C"));
            }

            ev.Add(new("headroom", $"{GpuContext.Fmt(headroom)} C (threshold {GpuContext.Fmt(c.Options.ThermalMarginCelsius)} C)"));
            yield return new Finding
            {
                Id = "gpu.thermal.near-slowdown",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"temperature is {GpuContext.Fmt(headroom)} C from the slowdown threshold",
                Evidence = ev,
                Slowdown = thermalActive && c.Busy ? c.ClockSlowdown : null,
                Fix = fix,
            };
        }

        if (thermalActive)
        {
            var hw = c.Active(ClockEventReasons.HwThermalSlowdown);
            var ev = new List<Evidence> { new("clocks_event_reasons (active)", c.ActiveReasons()) };
            ev.AddRange(c.ClockEvidence());
            ev.AddRange(c.BusyEvidence());
            if (t.GpuCelsius is { } g)
                ev.Add(new("temperature.gpu_temp", $"{GpuContext.Fmt(g)} C"));
            yield return new Finding
            {
                Id = "gpu.thermal.slowdown-active",
                Severity = hw && c.Busy ? Severity.Error : Severity.Warning,
                Subject = c.Subject,
                Title = hw ? "hardware thermal slowdown is cutting clocks" : "software thermal slowdown is cutting clocks",
                Evidence = ev,
                Slowdown = c.Busy ? c.ClockSlowdown : null,
                Fix = fix,
            };
        }

        if (CounterGrowth(c, x => Sum(x.SwThermalSlowdown, x.HwThermalSlowdown)) is { } grew)
        {
            yield return new Finding
            {
                Id = "gpu.thermal.counter-growing",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "thermal slowdown time grew during the window",
                Evidence = [.. grew, .. c.BusyEvidence()],
                Slowdown = null,
                Fix = fix,
            };
        }
    }

    internal static Tpd.Core.Units.Duration? Sum(Tpd.Core.Units.Duration? a, Tpd.Core.Units.Duration? b) =>
        a is null && b is null ? null : (a ?? Tpd.Core.Units.Duration.Zero) + (b ?? Tpd.Core.Units.Duration.Zero);

    /// <summary>Evidence for a clock-event counter that grew between the samples, or null.</summary>
    internal static List<Evidence>? CounterGrowth(GpuContext c, Func<ClockEventCounters, Tpd.Core.Units.Duration?> read)
    {
        if (c.Before?.ClockEventCounters is not { } before || c.Now.ClockEventCounters is not { } now)
            return null;
        if (read(before) is not { } a || read(now) is not { } b || b <= a)
            return null;
        var delta = b - a;
        var ev = new List<Evidence> { new("counter growth", $"{GpuContext.Fmt(delta.Microseconds)} us") };
        if (c.Window is { } w && w.Seconds > 0)
            ev.Add(new("share of window", $"{GpuContext.Fmt(100 * Math.Min(1, delta / w))} % of {GpuContext.Fmt(w.Seconds)} s"));
        return ev;
    }

    /// <summary>A tenth below the current limit, not under the board minimum.</summary>
    private static string LowerLimit(GpuContext c)
    {
        var p = c.Now.Power;
        if (p.EffectiveLimit is not { } l)
            return "<watts>";
        var target = l.Watts * 0.9;
        if (p.MinLimit is { } min)
            target = Math.Max(target, min.Watts);
        return GpuContext.Fmt(Math.Round(target));
    }
}
