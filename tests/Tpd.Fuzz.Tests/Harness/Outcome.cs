namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// What one input did, in the CLI's terms: exit code 0 (accepted, clean), 1 (accepted, with findings or not
/// fitting) or 2 (refused as bad input), and everything written, for the output checks.
/// </summary>
public sealed record Outcome(int ExitCode, string Output)
{
    public bool Refused => ExitCode == 2;
}
