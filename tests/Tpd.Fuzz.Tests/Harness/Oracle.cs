using System.Text.RegularExpressions;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// Judges one run. Failures: an exception escaped the reader (or the CLI printed one), an exit code other than 0,
/// 1 or 2, NaN or infinity in the output, a run slower than <see cref="FuzzBudget.SlowRun"/>, and a broken
/// <see cref="Expectation"/> (a value taken silently).
/// </summary>
public static partial class Oracle
{
    /// <summary>How .NET and the CLI print a non-number; "NaN" and "Infinity" from the input itself may be quoted back.</summary>
    private static readonly string[] NonNumbers = ["NaN", "Infinity", "∞"];

    public static string? Judge(string input, Outcome? outcome, Exception? escaped, TimeSpan elapsed, Expectation? expectation)
    {
        if (escaped is not null)
            return $"crash: {escaped.GetType().Name}: {First(escaped.Message)}";
        if (elapsed > FuzzBudget.SlowRun)
            return $"slow: {elapsed.TotalSeconds:0.0} s (limit {FuzzBudget.SlowRun.TotalSeconds:0} s)";
        if (outcome is null)
            return "no outcome";
        // System.CommandLine's default handler turns an escaped exception into this line and exit code 1.
        if (outcome.Output.Contains("Unhandled exception", StringComparison.Ordinal) || StackFrame().IsMatch(outcome.Output))
            return $"crash: the CLI printed a stack trace: {First(outcome.Output[Math.Max(0, outcome.Output.IndexOf("Unhandled", StringComparison.Ordinal))..])}";
        if (outcome.ExitCode is not (0 or 1 or 2))
            return $"exit code {outcome.ExitCode}";
        foreach (var token in NonNumbers)
        {
            if (outcome.Output.Contains(token, StringComparison.Ordinal) && !input.Contains(token, StringComparison.OrdinalIgnoreCase))
                return $"non-number: the output holds '{token}': {Around(outcome.Output, token)}";
        }

        return expectation?.Check(outcome);
    }

    /// <summary>A .NET stack frame: "   at Namespace.Type.Method(".</summary>
    [GeneratedRegex(@"\n   at [^\s(]+\(")]
    private static partial Regex StackFrame();

    private static string First(string text) => text.Split('\n')[0].Trim() is var l && l.Length > 200 ? l[..200] : l;

    private static string Around(string text, string token)
    {
        var i = text.IndexOf(token, StringComparison.Ordinal);
        var line = text[(text.LastIndexOf('\n', i) + 1)..];
        return First(line);
    }
}
