using Tpd.Core.Units;
using Tpd.Simulation.Randomness;
using Tpd.Simulation.Time;

namespace Tpd.Simulation.Workloads;

/// <summary>The shape of a chat product's traffic.</summary>
public sealed record ChatSessionOptions
{
    /// <summary>When new sessions (conversations) start, open loop. Set this or <see cref="Users"/>.</summary>
    public ArrivalProcess? SessionArrivals { get; init; }

    /// <summary>
    /// A fixed population of users instead of open arrivals: each user starts a session at a random instant in the
    /// first think time, and a new one a think time after the previous one ends. Concurrent users = this.
    /// </summary>
    public int? Users { get; init; }

    /// <summary>Turns (user messages) per session.</summary>
    public required LengthDistribution Turns { get; init; }

    /// <summary>Tokens of each new user message (for agents: tool results too).</summary>
    public required LengthDistribution UserTokens { get; init; }

    /// <summary>Tokens of each reply.</summary>
    public required LengthDistribution OutputTokens { get; init; }

    /// <summary>Mean of the exponential pause between a reply's last token and the next message (reading and typing).</summary>
    public required double MeanThinkSeconds { get; init; }

    /// <summary>System prompt shared by every session (same tokens: one cached copy serves all).</summary>
    public int SystemPromptTokens { get; init; }

    /// <summary>A session ends early rather than send a turn whose prompt + reply would exceed this (the model's context).</summary>
    public int MaxContextTokens { get; init; } = 32_768;

    public DiurnalCurve? Diurnal { get; init; }
}

/// <summary>
/// Multi-turn chat: sessions arrive open-loop (or a fixed population of users runs one session after another); each turn's prompt is the whole conversation so far (system prompt,
/// earlier messages and replies) plus the new message, so it shares its leading blocks with the previous turn and
/// hits the prefix cache while those blocks survive eviction. The next turn is sent a think time after the reply's
/// last token. Duty cycle of a user = generation time / (generation time + think time).
/// </summary>
public sealed class ChatSessionWorkload : IWorkload
{
    private const long NewSession = 0;
    private const long NewUserSession = -1;
    private readonly ChatSessionOptions _options;
    private readonly Dictionary<long, Session> _sessions = [];
    private SimRandom? _arrivalRandom;
    private SimRandom? _lengthRandom;
    private SimRandom? _thinkRandom;
    private SimRandom? _turnRandom;
    private long _systemStream;
    private long _nextSession;
    private double _nextArrival;

    public ChatSessionWorkload(ChatSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.MeanThinkSeconds >= 0 && double.IsFinite(options.MeanThinkSeconds)))
            throw new ArgumentOutOfRangeException(nameof(options), options.MeanThinkSeconds, $"think time is {options.MeanThinkSeconds} s; it must be 0 or more.");
        if (options.SystemPromptTokens < 0 || options.MaxContextTokens < options.SystemPromptTokens + 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxContextTokens, $"max context ({options.MaxContextTokens}) must exceed the system prompt ({options.SystemPromptTokens}) by at least 2 tokens.");
        if ((options.SessionArrivals is null) == (options.Users is null))
            throw new ArgumentException("chat sessions need exactly one of session arrivals (open loop) or users (a fixed population).", nameof(options));
        if (options.Users is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Users, $"users is {options.Users}; it must be at least 1.");
        _options = options;
    }

    public ChatSessionOptions Options => _options;

    public void Start(IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _arrivalRandom = context.Random(RandomStreams.Arrivals);
        _lengthRandom = context.Random(RandomStreams.Lengths);
        _thinkRandom = context.Random(RandomStreams.Think);
        _turnRandom = context.Random(RandomStreams.Turns);
        _systemStream = _options.SystemPromptTokens > 0 ? context.NewStreamId() : 0;
        if (_options.Users is { } users)
        {
            var spread = Math.Max(_options.MeanThinkSeconds, 1);
            for (var u = 0; u < users; u++)
                context.ScheduleTimer(SimTime.FromSeconds(_arrivalRandom.NextDouble() * spread), NewUserSession);
        }
        else
        {
            ScheduleArrival(context);
        }
    }

    public void OnTimer(long token, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (token == NewSession || token == NewUserSession)
        {
            var id = _nextSession++;
            var session = new Session(context.NewStreamId(), _options.Turns.Sample(_turnRandom!), _options.SystemPromptTokens);
            _sessions[id] = session;
            SendTurn(id, session, context);
            if (token == NewSession)
                ScheduleArrival(context);
        }
        else if (_sessions.TryGetValue(token - 1, out var session))
        {
            SendTurn(token - 1, session, context);
        }
    }

    public void OnCompleted(in CompletedRequest request, IWorkloadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = request.Spec.Session;
        if (!_sessions.TryGetValue(id, out var session))
            return;
        session.Context = request.Spec.InputTokens + request.Spec.OutputTokens;
        session.TurnsLeft--;
        if (request.Rejected || session.TurnsLeft <= 0)
        {
            // After a rejection, restart only when time moves on (a think time), never in a loop at one instant.
            EndSession(id, context, restart: !request.Rejected || _options.MeanThinkSeconds > 0);
            return;
        }

        context.ScheduleTimer(context.Now + Duration.FromSeconds(Think()), id + 1);
    }

    private void SendTurn(long id, Session session, IWorkloadContext context)
    {
        var prompt = session.Context + _options.UserTokens.Sample(_lengthRandom!);
        var output = _options.OutputTokens.Sample(_lengthRandom!);
        if (prompt + output > _options.MaxContextTokens)
        {
            EndSession(id, context, restart: true);
            return;
        }

        if (context.Submit(new RequestSpec
        {
            InputTokens = prompt,
            OutputTokens = output,
            Stream = session.Stream,
            SharedPrefixStream = _systemStream,
            SharedPrefixTokens = _options.SystemPromptTokens,
            Session = id,
        }) < 0)
        {
            EndSession(id, context, restart: false);
        }
    }

    private void EndSession(long id, IWorkloadContext context, bool restart)
    {
        _sessions.Remove(id);
        if (restart && _options.Users is not null)
            context.ScheduleTimer(context.Now + Duration.FromSeconds(Think()), NewUserSession);
    }

    private double Think() => _options.MeanThinkSeconds > 0 ? _thinkRandom!.NextExponential(_options.MeanThinkSeconds) : 0;

    private void ScheduleArrival(IWorkloadContext context)
    {
        var gap = _options.SessionArrivals!.NextGap(_arrivalRandom!);
        _nextArrival = _options.Diurnal is null ? _nextArrival + gap : _options.Diurnal.Advance(_nextArrival, gap);
        if (_nextArrival <= context.Horizon.Seconds)
            context.ScheduleTimer(SimTime.FromSeconds(_nextArrival), NewSession);
    }

    private sealed class Session(long stream, int turns, int context)
    {
        public long Stream { get; } = stream;

        public int TurnsLeft { get; set; } = turns;

        public int Context { get; set; } = context;
    }
}
