namespace Tpd.Llama.Engine;

/// <summary>Decode steps that carried only decode tokens (no prefill chunk) for one number of sequences, and their mean wall time.</summary>
public sealed record DecodeStepTiming(int Sequences, long Steps, double MeanSeconds);

/// <summary>The engine's counters: what ran, what waited, how batching went.</summary>
public sealed record EngineStats
{
    public int Running { get; init; }
    public int Waiting { get; init; }
    public int MaxRunning { get; init; }
    public int MaxWaiting { get; init; }
    public long Submitted { get; init; }
    public long Finished { get; init; }
    public long Aborted { get; init; }
    public long Failed { get; init; }

    /// <summary>llama_decode calls.</summary>
    public long Steps { get; init; }

    /// <summary>Steps after which more than one sequence had a new token: the batch really was shared.</summary>
    public long StepsWithSeveralSequences { get; init; }

    /// <summary>The most sequences that got a token from one step.</summary>
    public int MaxSequencesInStep { get; init; }

    public long PromptTokens { get; init; }
    public long GeneratedTokens { get; init; }
    public int KvTokensReserved { get; init; }
    public int KvTokens { get; init; }
    public IReadOnlyList<DecodeStepTiming> DecodeSteps { get; init; } = [];
}
