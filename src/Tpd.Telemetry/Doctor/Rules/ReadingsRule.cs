namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>
/// Readings that cannot be true (a 1e30 C temperature, a -1 W power limit): the parser left them out, so the
/// other rules never quote them; this rule says they were there, so a doctored or corrupt file is not silent.
/// </summary>
internal static class ReadingsRule
{
    public static IEnumerable<Finding> Evaluate(GpuContext c)
    {
        var invalid = c.Now.InvalidReadings;
        if (invalid.Count == 0)
            yield break;
        yield return new Finding
        {
            Id = "gpu.readings.invalid",
            Severity = Severity.Warning,
            Subject = c.Subject,
            Title = invalid.Count == 1
                ? $"1 reading cannot be true and was left out: {invalid[0].Field}"
                : $"{invalid.Count} readings cannot be true and were left out: {string.Join(", ", invalid.Take(5).Select(r => r.Field))}{(invalid.Count > 5 ? ", ..." : "")}",
            Evidence = [.. invalid.Select(r => new Evidence(r.Field, $"'{r.Raw}' (a GPU reports {r.Expected})"))],
            Fix = $"capture it again on the host with `nvidia-smi -q -x > smi.xml`; if a fresh capture shows the same, the driver misreports: check `nvidia-smi -i {c.Now.Index} -q` and update the driver",
            Note = "the rules that need these readings ran without them",
        };
    }
}
