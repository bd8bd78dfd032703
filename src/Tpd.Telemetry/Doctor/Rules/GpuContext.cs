using System.Globalization;
using Tpd.Core.Units;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>One GPU as the rules see it: its latest sample, the earlier one when there are two, and the options.</summary>
internal sealed record GpuContext(GpuSnapshot Now, GpuSnapshot? Before, Duration? Window, DoctorOptions Options)
{
    public string Subject => Now.Label;

    /// <summary>
    /// Busy: utilization at or above the threshold; where utilization is not reported (MIG), power draw at or
    /// above a share of the limit. A GPU reporting the GpuIdle reason is never busy.
    /// </summary>
    public bool Busy
    {
        get
        {
            if (Now.ClockEvents is { } ce && ce.IsActive(ClockEventReasons.GpuIdle))
                return false;
            if (Now.GpuUtilizationPercent is { } u)
                return u >= Options.BusyUtilizationPercent;
            return Now.Power.Draw is { } d && Now.Power.EffectiveLimit is { } l && l.Watts > 0 && d / l >= Options.BusyPowerFraction;
        }
    }

    public bool Active(ClockEventReasons reason) => Now.ClockEvents is { } ce && ce.IsActive(reason);

    /// <summary>
    /// Throughput lost to a clock cut, estimated as 1 - SM clock / max SM clock (an upper bound: memory-bound decode
    /// loses less). None for a clock reading 0: a stopped clock under load is no reading to price (it would be an infinite cost).
    /// </summary>
    public double? ClockSlowdown => Now.Clocks.SmFraction is { } f && f is > 0 and < 1 ? 1 - f : null;

    public bool SmWellBelowMax => Now.Clocks.SmFraction is { } f && f < Options.SmClockWellBelowMax;

    public List<Evidence> BusyEvidence()
    {
        var e = new List<Evidence>();
        if (Now.GpuUtilizationPercent is { } u)
            e.Add(new("utilization.gpu_util", $"{Fmt(u)} %"));
        if (Now.PerformanceState is { } p)
            e.Add(new("performance_state", p));
        if (Now.Power.Draw is { } d)
            e.Add(new("power.draw", Watts(d)));
        return e;
    }

    public List<Evidence> ClockEvidence()
    {
        var e = new List<Evidence>();
        if (Now.Clocks.SmMhz is { } s)
            e.Add(new("clocks.sm_clock", $"{Fmt(s)} MHz"));
        if (Now.Clocks.MaxSmMhz is { } m)
            e.Add(new("max_clocks.sm_clock", $"{Fmt(m)} MHz"));
        return e;
    }

    public string ActiveReasons() => Now.ClockEvents is { } ce ? ce.Active.ToString() : "not reported";

    public static string Fmt(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Watts(Power p) => Fmt(p.Watts) + " W";
}
