using System.Diagnostics;
using System.Text;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>Counts of one run, for the test output and docs/validation/robustness.md.</summary>
public sealed record FuzzReport(string Target, int Inputs, int Accepted, int Findings, int Refused, int WithExpectation, TimeSpan Slowest, TimeSpan Elapsed, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"{Target}: {Inputs} inputs in {Elapsed.TotalSeconds:0.0} s (exit 0: {Accepted}, exit 1: {Findings}, exit 2: {Refused}; {WithExpectation} with a known bad value; slowest {Slowest.TotalMilliseconds:0} ms); {Failures.Count} failures";
}

/// <summary>
/// Runs mutated inputs through a target with a fixed seed: input i of a run is the same on every machine, so a
/// failure names its index and seed, and is saved as a reproducer.
/// </summary>
public static class FuzzRunner
{
    public static FuzzReport Run(IFuzzTarget target, int inputs, int seed)
    {
        // Each target gets its own sequence, stable across runs and independent of the others.
        var random = new Random(seed ^ StableHash(target.Name));
        var failures = new List<string>();
        int accepted = 0, findings = 0, refused = 0, expected = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < inputs; i++)
        {
            var mutant = target.Mutator.Mutate(target.Seeds, random);
            expected += mutant.Expectation is null ? 0 : 1;
            // A crash that ends the process (a stack overflow) cannot be caught: the input is left here to find.
            File.WriteAllBytes(LastInput(target), mutant.Bytes);
            var (outcome, escaped, elapsed, hung) = Execute(target, mutant.Bytes);
            slowest = elapsed > slowest ? elapsed : slowest;
            var text = Encoding.UTF8.GetString(mutant.Bytes);
            var failure = hung ? $"hang: no answer in {FuzzBudget.Hang.TotalSeconds:0} s" : Oracle.Judge(text, outcome, escaped, elapsed, mutant.Expectation);
            if (failure is not null)
            {
                var path = Reproducers.Save(target, mutant.Bytes, mutant.Expectation, failure);
                failures.Add($"input {i} (seed {seed}, {mutant.Description}): {failure} -> {Path.GetFileName(path)}");
                if (hung)
                    break;
                continue;
            }

            _ = outcome!.ExitCode switch
            {
                0 => accepted++,
                1 => findings++,
                _ => refused++,
            };
        }

        return new FuzzReport(target.Name, inputs, accepted, findings, refused, expected, slowest, total.Elapsed, failures);
    }

    /// <summary>$TMP/tpd-fuzz/&lt;target&gt;.last: the input being run, kept until the next one.</summary>
    public static string LastInput(IFuzzTarget target)
    {
        var folder = Path.Combine(Path.GetTempPath(), "tpd-fuzz");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, target.Name + ".last" + target.Extension);
    }

    /// <summary>Runs one input off the test thread so that a hang is reported instead of blocking the run forever.</summary>
    public static (Outcome? Outcome, Exception? Escaped, TimeSpan Elapsed, bool Hung) Execute(IFuzzTarget target, byte[] input)
    {
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => target.Run(input));
        try
        {
            if (!run.Wait(FuzzBudget.Hang))
                return (null, null, clock.Elapsed, true);
            return (run.Result, null, clock.Elapsed, false);
        }
        catch (AggregateException e)
        {
            return (null, e.InnerException ?? e, clock.Elapsed, false);
        }
    }

    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s)
            h = unchecked((h * 31) + c);
        return h;
    }
}
