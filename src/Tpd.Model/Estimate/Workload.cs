namespace Tpd.Model.Estimate;

/// <summary>
/// The traffic an estimate is for. Defaults describe a chat product: 1,024-token prompts, 256-token answers,
/// users active 20% of the time (the seed's "80% idle time").
/// </summary>
public sealed record Workload
{
    public int InputTokens { get; init; } = 1024;
    public int OutputTokens { get; init; } = 256;

    /// <summary>When set, every sequence holds this many tokens and the estimate is of pure decode at that context
    /// (the seed's "200k-token users"); input/output then only set TTFT and cost shares.</summary>
    public int? ContextTokens { get; init; }

    /// <summary>Concurrent sequences; null = the largest batch that fits (saturation).</summary>
    public int? Batch { get; init; }

    /// <summary>Share of a user's session spent waiting for tokens (the rest is reading and typing).</summary>
    public double DutyCycle { get; init; } = 0.2;

    /// <summary>Users to price per user; null = the users this setup serves at the duty cycle.</summary>
    public int? Users { get; init; }

    /// <summary>Context a sequence holds at the end of its answer (sizing, no preemption).</summary>
    public double FullContext => ContextTokens ?? (double)InputTokens + OutputTokens;

    /// <summary>Mean context over a sequence's decode (steady-state KV holding and reads).</summary>
    public double MeanDecodeContext => ContextTokens ?? InputTokens + OutputTokens / 2.0;

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (InputTokens is < 1 or > 10_000_000)
            e.Add($"input tokens {InputTokens} is out of range; use 1 to 10,000,000");
        if (OutputTokens is < 1 or > 10_000_000)
            e.Add($"output tokens {OutputTokens} is out of range; use 1 to 10,000,000");
        if (ContextTokens is < 1 or > 100_000_000)
            e.Add($"context {ContextTokens} is out of range; use 1 to 100,000,000 tokens");
        if (Batch is < 1)
            e.Add($"batch {Batch} must be at least 1 (omit it for the largest batch that fits)");
        if (!(DutyCycle > 0 && DutyCycle <= 1))
            e.Add($"duty cycle {DutyCycle} is out of range; use a fraction in (0, 1], e.g. 0.2 for users idle 80% of the time");
        if (Users is < 1)
            e.Add($"users {Users} must be at least 1");
        return e;
    }
}
