namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// What a mutation must cause, when the mutator knows what it broke: a value no reader may take silently.
/// Kept beside a reproducer as one line ("refuse" or "mention TOKEN") so a replay checks it too.
/// </summary>
public abstract record Expectation(string Why)
{
    /// <summary>Null when met; else the failure.</summary>
    public abstract string? Check(Outcome outcome);

    public abstract string Serialize();

    public static Expectation? Parse(string? line) => line?.Trim() switch
    {
        null or "" => null,
        var l when l.StartsWith("refuse", StringComparison.Ordinal) => new MustRefuse(l.Length > 7 ? l[7..] : "replayed"),
        var l when l.StartsWith("mention ", StringComparison.Ordinal) => new MustMention(l[8..].Split(' ', 2)[0], l.Split(' ', 3) is { Length: 3 } p ? p[2] : "replayed"),
        var l => throw new FormatException($"unknown expectation '{l}'; write 'refuse WHY' or 'mention TOKEN WHY'"),
    };
}

/// <summary>The input must be refused with exit code 2 (a wrong type, an impossible value).</summary>
public sealed record MustRefuse(string Why) : Expectation(Why)
{
    public override string? Check(Outcome outcome) =>
        outcome.Refused ? null : $"silent: {Why} was accepted (exit {outcome.ExitCode}), expected exit 2";

    public override string Serialize() => $"refuse {Why}";
}

/// <summary>The output must name <paramref name="Token"/> (a flagged reading: gpu.readings.invalid).</summary>
public sealed record MustMention(string Token, string Why) : Expectation(Why)
{
    public override string? Check(Outcome outcome) =>
        outcome.Output.Contains(Token, StringComparison.Ordinal) ? null : $"silent: {Why} did not produce '{Token}' (exit {outcome.ExitCode})";

    public override string Serialize() => $"mention {Token} {Why}";
}
