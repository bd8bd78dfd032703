using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>Power: SwPowerCap while busy with clocks well below max, a lowered power limit, and hardware slowdown or power brake.</summary>
internal static class PowerRules
{
    /// <summary>Limits within a watt are equal: drivers print two decimals and round.</summary>
    private const double LimitToleranceWatts = 1;

    public static IEnumerable<Finding> Evaluate(GpuContext c)
    {
        var p = c.Now.Power;
        var idx = c.Now.Index;

        // Idle boards report SwPowerCap too (telegraf_3090-v13.xml: Active at 35 W of 350 W in P8), so only a busy
        // GPU whose SM clock sits well below max is flagged.
        if (c.Active(ClockEventReasons.SwPowerCap) && c.Busy && c.SmWellBelowMax)
        {
            var ev = new List<Evidence> { new("clocks_event_reasons (active)", c.ActiveReasons()) };
            ev.AddRange(c.ClockEvidence());
            ev.AddRange(c.BusyEvidence());
            if (p.EffectiveLimit is { } l)
                ev.Add(new("power.limit", GpuContext.Watts(l)));
            if (p.MaxLimit is { } max)
                ev.Add(new("power.max_power_limit", GpuContext.Watts(max)));
            var atMax = p.EffectiveLimit is { } lim && p.MaxLimit is { } mx && lim.Watts >= mx.Watts - LimitToleranceWatts;
            yield return new Finding
            {
                Id = "gpu.power.cap-while-busy",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "the power cap is holding the SM clock well below max under load",
                Evidence = ev,
                Slowdown = c.ClockSlowdown,
                Fix = atMax || p.MaxLimit is null
                    ? $"the limit is already the board maximum: check cooling and power delivery (`nvidia-smi -i {idx} -q -d POWER,PERFORMANCE`)"
                    : $"sudo nvidia-smi -i {idx} -pl {GpuContext.Fmt(p.MaxLimit.Value.Watts)}",
                Note = "the SM-clock estimate is an upper bound: memory-bound decode loses less than the clock ratio",
            };
        }

        if (p.EffectiveLimit is { } limit && p.DefaultLimit is { } def && limit.Watts < def.Watts - LimitToleranceWatts)
        {
            var ev = new List<Evidence>
            {
                new(p.EnforcedLimit is null ? "power.current_power_limit" : "power.enforced_power_limit", GpuContext.Watts(limit)),
                new("power.default_power_limit", GpuContext.Watts(def)),
            };
            if (p.MinLimit is { } min)
                ev.Add(new("power.min_power_limit", GpuContext.Watts(min)));
            if (p.MaxLimit is { } max)
                ev.Add(new("power.max_power_limit", GpuContext.Watts(max)));
            ev.AddRange(c.BusyEvidence());
            yield return new Finding
            {
                Id = "gpu.power.limit-lowered",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"power limit {GpuContext.Watts(limit)} is below the default {GpuContext.Watts(def)}",
                Evidence = ev,
                Slowdown = c.Busy && c.Active(ClockEventReasons.SwPowerCap) ? c.ClockSlowdown : null,
                Fix = $"sudo nvidia-smi -i {idx} -pl {GpuContext.Fmt(def.Watts)}",
                Note = "someone ran `nvidia-smi -pl`; keep it only if it was chosen for tokens per joule and measured",
            };
        }

        var hwReasons = ClockEventReasons.HwSlowdown | ClockEventReasons.HwPowerBrakeSlowdown;
        if (c.Now.ClockEvents is { } ce && (ce.Active & hwReasons) != 0)
        {
            var ev = new List<Evidence> { new("clocks_event_reasons (active)", c.ActiveReasons()) };
            ev.AddRange(c.ClockEvidence());
            ev.AddRange(c.BusyEvidence());
            yield return new Finding
            {
                Id = "gpu.clocks.hw-slowdown",
                Severity = c.Busy ? Severity.Error : Severity.Warning,
                Subject = c.Subject,
                Title = (ce.Active & ClockEventReasons.HwPowerBrakeSlowdown) != 0
                    ? "hardware power brake is asserted: the system is pulling the GPU's clocks down"
                    : "hardware slowdown is active (thermal or power-supply protection)",
                Evidence = ev,
                Slowdown = c.Busy ? c.ClockSlowdown : null,
                Fix = $"check PSU capacity, power cables and cooling; inspect with `nvidia-smi -i {idx} -q -d PERFORMANCE,POWER,TEMPERATURE`",
            };
        }
        else if (ThermalRules.CounterGrowth(c, x => ThermalRules.Sum(x.HwPowerBrake, x.HwSlowdown)) is { } grew)
        {
            yield return new Finding
            {
                Id = "gpu.clocks.hw-slowdown",
                Severity = c.Busy ? Severity.Error : Severity.Warning,
                Subject = c.Subject,
                Title = "hardware slowdown / power brake time grew during the window",
                Evidence = [.. grew, .. c.BusyEvidence()],
                Fix = $"check PSU capacity, power cables and cooling; inspect with `nvidia-smi -i {idx} -q -d PERFORMANCE,POWER,TEMPERATURE`",
            };
        }

        if (c.Busy && ThermalRules.CounterGrowth(c, x => x.SwPowerCap) is { } capGrew && !c.Active(ClockEventReasons.SwPowerCap) && c.SmWellBelowMax)
        {
            yield return new Finding
            {
                Id = "gpu.power.cap-while-busy",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "power-cap time grew during the window while the GPU was busy",
                Evidence = [.. capGrew, .. c.ClockEvidence(), .. c.BusyEvidence()],
                Slowdown = c.ClockSlowdown,
                Fix = p.MaxLimit is { } mx ? $"sudo nvidia-smi -i {idx} -pl {GpuContext.Fmt(mx.Watts)}" : $"nvidia-smi -i {idx} -q -d POWER",
            };
        }
    }
}
