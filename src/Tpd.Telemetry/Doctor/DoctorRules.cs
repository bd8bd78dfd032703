using Tpd.Telemetry.Doctor.Rules;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Doctor;

/// <summary>
/// The troubleshooting matrix as code: runs every rule over the gathered facts. Pure: the same input gives
/// the same findings. Order: worst severity first, then by id and subject.
/// </summary>
public static class DoctorRules
{
    public static DoctorReport Evaluate(DoctorInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = input.Options;
        var findings = new List<Finding>();

        if (input.GpuSourceError is { } err)
            findings.AddRange(HostRules.NoGpuSource(err));
        if (input.GpuFileError is { } file)
            findings.AddRange(HostRules.UnreadableSmiFile(file.Path, file.Error));

        foreach (var c in Contexts(input))
        {
            findings.AddRange(ReadingsRule.Evaluate(c));
            findings.AddRange(ThermalRules.Evaluate(c));
            findings.AddRange(PowerRules.Evaluate(c));
            findings.AddRange(MemoryRules.Evaluate(c));
            findings.AddRange(PcieRules.Evaluate(c));
            findings.AddRange(PersistenceRule.Evaluate(c, input.Host?.IsLinux));
        }

        findings.AddRange(VersionRules.Evaluate(input.Latest, o));
        findings.AddRange(VersionRules.Kernel(input.Host, o));
        if (input.Host is { } host)
            findings.AddRange(HostRules.Evaluate(host, o, driverUsable: input.GpuSourceError is null));
        if (input.WatchedXids is { } xids)
            findings.AddRange(HostRules.XidWatch(xids));
        if (input.Engine is { } engine)
            findings.AddRange(EngineRules.Evaluate(engine, input.Latest, o));

        return new DoctorReport(findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Id, StringComparer.Ordinal)
            .ThenBy(f => f.Subject, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>
    /// Pairs each latest GPU with its earlier sample: by UUID when UUIDs are unique in both samples, else by
    /// position (sanitised files repeat UUIDs, e.g. the 3090 and 2070 fixtures share one).
    /// </summary>
    private static IEnumerable<GpuContext> Contexts(DoctorInput input)
    {
        var latest = input.Latest;
        var earlier = input.LaterGpus is null ? null : input.Gpus;
        var byUuid = earlier is not null && UniqueUuids(earlier) && UniqueUuids(latest)
            ? earlier.ToDictionary(g => g.Uuid!, StringComparer.Ordinal)
            : null;
        for (var i = 0; i < latest.Count; i++)
        {
            var now = latest[i];
            GpuSnapshot? before = null;
            if (byUuid is not null)
                byUuid.TryGetValue(now.Uuid!, out before);
            else if (earlier is not null && i < earlier.Count)
                before = earlier[i];
            yield return new GpuContext(now, before, input.Window, input.Options);
        }
    }

    private static bool UniqueUuids(IReadOnlyList<GpuSnapshot> gpus) =>
        gpus.All(g => g.Uuid is not null) && gpus.Select(g => g.Uuid).Distinct(StringComparer.Ordinal).Count() == gpus.Count;
}
