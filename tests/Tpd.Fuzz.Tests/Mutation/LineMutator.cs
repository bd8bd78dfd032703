using System.Text;
using Tpd.Fuzz.Tests.Harness;

namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>One change to a line-oriented text: which line, what it held, and what it holds now.</summary>
public sealed record LineChange(int Line, string Before, string After, string Kind);

/// <summary>
/// Mutation for line formats (Prometheus text, YAML): change one line through a format-aware edit the caller
/// supplies, or delete, duplicate, swap, indent or repeat lines; sometimes havoc the bytes. A single edit may
/// carry the target's expectation.
/// </summary>
/// <param name="edit">A format-aware change to one line, or null when the line has nothing to change.</param>
/// <param name="rules">What a single edit must cause, when the target knows.</param>
/// <param name="insert">A line worth inserting (an alias, a TYPE line); else an interesting text.</param>
/// <param name="focus">Lines worth editing most (the ones a reader uses): half of the edits go to one of them.</param>
public sealed class LineMutator(
    Func<string, Random, (string After, string Kind)?> edit,
    Func<LineChange, Expectation?>? rules = null,
    Func<Random, string>? insert = null,
    Func<string, bool>? focus = null) : IMutator
{
    public Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var seed = random.Pick(seeds);
        if (random.Next(10) == 0)
            return ByteMutator.Instance.Mutate([seed], random);
        var lines = Encoding.UTF8.GetString(seed).Split('\n').ToList();
        var i = random.Next(lines.Count);
        if (focus is not null && random.Next(2) == 0)
        {
            var focused = Enumerable.Range(0, lines.Count).Where(n => focus(lines[n])).ToList();
            if (focused.Count > 0)
                i = random.Pick(focused);
        }

        LineChange? change = null;
        string what;
        switch (random.Next(10))
        {
            case < 5:
                if (edit(lines[i], random) is not { } e)
                    goto default;
                change = new LineChange(i, lines[i], e.After, e.Kind);
                what = $"{e.Kind} line {i + 1}: {Brief(e.After)}";
                lines[i] = e.After;
                break;
            case 5:
                lines.RemoveAt(i);
                what = $"delete line {i + 1}";
                break;
            case 6:
                var times = random.Next(2) == 0 ? 2 : 100 + random.Next(5_000);
                lines.InsertRange(i, Enumerable.Repeat(lines[i], times));
                what = $"repeat line {i + 1} x{times}";
                break;
            case 7:
                var j = random.Next(lines.Count);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                what = $"swap lines {i + 1} and {j + 1}";
                break;
            case 8:
                lines[i] = random.Next(2) == 0 ? "  " + lines[i] : lines[i].TrimStart();
                what = $"indent line {i + 1}";
                break;
            default:
                var text = insert?.Invoke(random) ?? random.Pick(Interesting.Texts);
                lines.Insert(i, text);
                what = $"insert at line {i + 1}: {Brief(text)}";
                break;
        }

        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        if (random.Next(10) == 0)
        {
            var (havoc, how) = ByteMutator.Havoc(bytes, random, 1 + random.Next(3));
            return new Mutant(havoc, $"{what}; {how}");
        }

        return new Mutant(bytes, what, change is null ? null : rules?.Invoke(change));
    }

    private static string Brief(string s) => s.Length <= 50 ? s : s[..47] + "...";
}
