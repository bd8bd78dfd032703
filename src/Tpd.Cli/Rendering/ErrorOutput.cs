namespace Tpd.Cli.Rendering;

internal static class ErrorOutput
{
    /// <summary>Writes each problem on its own line and returns exit code 2 (bad input).</summary>
    public static int Write(TextWriter stderr, IReadOnlyList<string> errors)
    {
        foreach (var e in errors)
            stderr.WriteLine($"error: {e}");
        return 2;
    }
}
