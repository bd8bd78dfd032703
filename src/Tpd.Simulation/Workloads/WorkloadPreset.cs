using System.Diagnostics.CodeAnalysis;

namespace Tpd.Simulation.Workloads;

/// <summary>
/// A named workload with documented parameters (docs/simulate.md has the table). They are assumptions chosen to be
/// typical, not measurements of any one product; where a public figure anchored a choice the comment names it.
/// Text becomes a preset once, where it comes in (<see cref="TryParse"/>); everything after passes the preset.
/// Each <see cref="AtRate"/> or <see cref="ForUsers"/> returns a fresh workload (workloads hold per-run state).
/// </summary>
public sealed class WorkloadPreset
{
    private readonly Func<double, DiurnalCurve?, IWorkload> _atRate;
    private readonly Func<int, IWorkload>? _forUsers;

    private WorkloadPreset(string name, bool isClosedLoop, Func<double, DiurnalCurve?, IWorkload> atRate, Func<int, IWorkload>? forUsers)
    {
        Name = name;
        IsClosedLoop = isClosedLoop;
        _atRate = atRate;
        _forUsers = forUsers;
    }

    /// <summary>Chat sessions (<see cref="ChatOptions"/>); the rate is sessions per second.</summary>
    public static WorkloadPreset Chat { get; } = new("chat", false,
        (rate, diurnal) => new ChatSessionWorkload(ChatOptions(rate) with { Diurnal = diurnal }),
        users => new ChatSessionWorkload(ChatUserOptions(users)));

    /// <summary>Retrieval-augmented questions (<see cref="RagWorkload"/>); the rate is requests per second.</summary>
    public static WorkloadPreset Rag { get; } = new("rag", false, RagWorkload, null);

    /// <summary>Offline batch (<see cref="BatchWorkload"/>); the "rate" is the number of concurrent clients.</summary>
    public static WorkloadPreset Batch { get; } = new("batch", true, (clients, _) => BatchWorkload((int)Math.Round(clients)), null);

    /// <summary>Tool-using agents (<see cref="AgenticOptions"/>); the rate is tasks (sessions) per second.</summary>
    public static WorkloadPreset Agentic { get; } = new("agentic", false,
        (rate, diurnal) => new ChatSessionWorkload(AgenticOptions(rate) with { Diurnal = diurnal }),
        users => new ChatSessionWorkload(AgenticUserOptions(users)));

    public static IReadOnlyList<WorkloadPreset> All { get; } = [Chat, Rag, Batch, Agentic];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name)];

    /// <summary>"chat", "rag", "batch" or "agentic".</summary>
    public string Name { get; }

    /// <summary>Whether the load is a number of concurrent clients (a closed loop: batch) rather than arrivals per second.</summary>
    public bool IsClosedLoop { get; }

    /// <summary>Whether a fixed population of users can drive it instead of a rate (chat and agentic).</summary>
    public bool HasUsers => _forUsers is not null;

    /// <summary>The preset named <paramref name="text"/>, in any letter case.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out WorkloadPreset? preset)
    {
        preset = All.FirstOrDefault(p => p.Name.Equals(text, StringComparison.OrdinalIgnoreCase));
        return preset is not null;
    }

    /// <exception cref="ArgumentException"><paramref name="text"/> names no preset; the message lists the choices.</exception>
    public static WorkloadPreset Parse(string text) =>
        TryParse(text, out var preset)
            ? preset
            : throw new ArgumentException($"unknown workload preset '{text}'; choose one of {string.Join(", ", Names)}.", nameof(text));

    /// <summary>
    /// The preset at <paramref name="rate"/>: sessions/s for chat and agentic, requests/s for rag, concurrent clients for batch.
    /// </summary>
    public IWorkload AtRate(double rate, DiurnalCurve? diurnal = null) => _atRate(rate, diurnal);

    /// <summary>The preset as a fixed population of <paramref name="users"/> rather than an arrival rate (chat and agentic).</summary>
    /// <exception cref="InvalidOperationException">The preset has no user population (<see cref="HasUsers"/> is false).</exception>
    public IWorkload ForUsers(int users) =>
        _forUsers is { } make
            ? make(users)
            : throw new InvalidOperationException($"preset '{Name}' has no user population; choose chat or agentic, or give a rate.");

    public override string ToString() => Name;

    /// <summary>
    /// Chat product. Turns per session uniform 1 to 3 (mean 2.0, LMSYS-Chat-1M's mean turns per conversation, Zheng
    /// et al. 2023, table 1); user message lognormal median 45 tokens, sigma 1 (mean 74; LMSYS-Chat-1M: 69.5);
    /// reply lognormal median 170, sigma 0.7, at most 2048 (mean 217; LMSYS-Chat-1M: 214.5); a 256-token system prompt
    /// shared by all sessions; think time exponential, mean 30 s, which with replies of a few seconds gives the
    /// "about 80% idle" (20% duty cycle) of a typical chat user (seed: napkin-math-inference-cost); context capped at
    /// 32,768 tokens; sessions arrive Poisson.
    /// </summary>
    public static ChatSessionOptions ChatOptions(double sessionsPerSecond) => ChatBase() with { SessionArrivals = ArrivalProcess.Poisson(sessionsPerSecond) };

    /// <summary>The chat preset as a fixed population of <paramref name="users"/>, each chatting on and off (the "users served" view).</summary>
    public static ChatSessionOptions ChatUserOptions(int users) => ChatBase() with { Users = users };

    /// <summary>The agentic preset as <paramref name="users"/> agents running one task after another.</summary>
    public static ChatSessionOptions AgenticUserOptions(int users) => AgenticBase() with { Users = users };

    private static ChatSessionOptions ChatBase() => new()
    {
        Turns = LengthDistribution.Uniform(1, 3),
        UserTokens = LengthDistribution.LogNormal(45, 1.0, max: 8192),
        OutputTokens = LengthDistribution.LogNormal(170, 0.7, max: 2048),
        MeanThinkSeconds = 30,
        SystemPromptTokens = 256,
        MaxContextTokens = 32_768,
    };

    /// <summary>
    /// Retrieval-augmented single-turn questions, Poisson: a 512-token shared instruction prefix, then retrieved
    /// context and question lognormal median 2,500 tokens, sigma 0.5 (about five 512-token chunks), reply lognormal
    /// median 200, sigma 0.6, at most 1024. Prefill-heavy: input/output about 15:1.
    /// </summary>
    private static OpenLoopWorkload RagWorkload(double requestsPerSecond, DiurnalCurve? diurnal = null) => new OpenLoopWorkload(
        ArrivalProcess.Poisson(requestsPerSecond),
        RequestLengths.Independent(LengthDistribution.LogNormal(2500, 0.5, max: 16_000), LengthDistribution.LogNormal(200, 0.6, max: 1024)),
        diurnal,
        sharedPrefixTokens: 512);

    /// <summary>
    /// Offline batch (summaries, extraction): a closed loop of <paramref name="concurrency"/> clients with no think
    /// time (default 256, enough to fill max_num_seqs of 256 and keep a large GPU's batch deep); input lognormal median
    /// 1,000, sigma 0.6, at most 8,192; output lognormal median 300, sigma 0.5, at most 2,048.
    /// </summary>
    private static ClosedLoopWorkload BatchWorkload(int concurrency = 256) => new ClosedLoopWorkload(
        concurrency,
        RequestLengths.Independent(LengthDistribution.LogNormal(1000, 0.6, max: 8192), LengthDistribution.LogNormal(300, 0.5, max: 2048)));

    /// <summary>
    /// Tool-using agents: 5 to 20 model calls per task (uniform), a 3,000-token system prompt with tool schemas shared
    /// by all, each step adds a tool result lognormal median 400, sigma 1 (mean 660), replies short (tool calls:
    /// lognormal median 120, sigma 0.7, at most 1024), 1.5 s mean tool time between calls, context capped at 65,536.
    /// Context grows fast and nearly all of each prompt is a prefix-cache hit while the session's blocks survive.
    /// </summary>
    public static ChatSessionOptions AgenticOptions(double sessionsPerSecond) => AgenticBase() with { SessionArrivals = ArrivalProcess.Poisson(sessionsPerSecond) };

    private static ChatSessionOptions AgenticBase() => new()
    {
        Turns = LengthDistribution.Uniform(5, 20),
        UserTokens = LengthDistribution.LogNormal(400, 1.0, max: 16_000),
        OutputTokens = LengthDistribution.LogNormal(120, 0.7, max: 1024),
        MeanThinkSeconds = 1.5,
        SystemPromptTokens = 3000,
        MaxContextTokens = 65_536,
    };
}
