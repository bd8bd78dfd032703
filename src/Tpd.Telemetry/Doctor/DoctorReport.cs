namespace Tpd.Telemetry.Doctor;

/// <summary>The findings, worst first, and the exit code CI can act on.</summary>
public sealed record DoctorReport(IReadOnlyList<Finding> Findings)
{
    /// <summary>No findings or only Info.</summary>
    public const int Clean = 0;

    /// <summary>At least one Warning, no Error.</summary>
    public const int Warnings = 1;

    /// <summary>At least one Error.</summary>
    public const int Errors = 2;

    public int ExitCode => ExitCodeFor(Findings);

    public static int ExitCodeFor(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var worst = findings.Select(f => (Severity?)f.Severity).Max();
        return worst switch
        {
            Severity.Error => Errors,
            Severity.Warning => Warnings,
            _ => Clean,
        };
    }
}
