using Tpd.Gateway.Config;
using Tpd.Gateway.Metering;

namespace Tpd.Gateway.Routing;

/// <summary>Why a worker takes no new requests (flags: several can hold at once).</summary>
[Flags]
public enum WorkerBlock
{
    None = 0,

    /// <summary>Failed health checks or connections; retried by the health loop.</summary>
    Ejected = 1,

    /// <summary>Tokens/s per dollar below the threshold; readmitted after good probes.</summary>
    AutoDrained = 2,

    /// <summary>Drained by an operator through the admin API.</summary>
    ManualDrained = 4,
}

/// <summary>
/// A worker's live state. In-flight counts are updated with Interlocked on the hot path; the block flags are
/// written by the health loop, the drain tick and the admin API and read by routing.
/// </summary>
public sealed class WorkerState
{
    private int _inFlight;
    private long _outstandingTokens;
    private int _block;
    private int _consecutiveFailures;
    private int _consecutiveSuccesses;

    public WorkerState(WorkerConfig config)
    {
        Config = config;
        NameHash = Stable.Hash(config.Name);
        SetUris(config.Url);
    }

    /// <summary>Replaced on hot reload; readers take one reference per request.</summary>
    public WorkerConfig Config { get; private set; }

    public string Name => Config.Name;
    public ulong NameHash { get; }
    public Uri ChatUri { get; private set; } = null!;
    public Uri CompletionsUri { get; private set; } = null!;
    public Uri ModelsUri { get; private set; } = null!;
    public WorkerMeter Meter { get; } = new();

    /// <summary>Bearer value for the worker, read from its api_key_env at load.</summary>
    public string? UpstreamAuthorization { get; private set; }

    public int InFlight => Volatile.Read(ref _inFlight);
    public long OutstandingTokens => Volatile.Read(ref _outstandingTokens);
    public WorkerBlock Block => (WorkerBlock)Volatile.Read(ref _block);
    public bool Eligible => Block == WorkerBlock.None;
    public bool HasRoom => InFlight < Config.MaxInFlight;

    internal void Update(WorkerConfig config)
    {
        Config = config;
        SetUris(config.Url);
    }

    private void SetUris(Uri url)
    {
        var b = url.AbsoluteUri.TrimEnd('/');
        ChatUri = new Uri(b + "/v1/chat/completions");
        CompletionsUri = new Uri(b + "/v1/completions");
        ModelsUri = new Uri(b + "/v1/models");
        UpstreamAuthorization = Config.ApiKeyEnv is { } env && Environment.GetEnvironmentVariable(env) is { Length: > 0 } key ? "Bearer " + key : null;
    }

    /// <summary>Takes a slot; false (and nothing taken) when the worker is full.</summary>
    internal bool TryEnter(long tokens)
    {
        var now = Interlocked.Increment(ref _inFlight);
        if (now > Config.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        Interlocked.Add(ref _outstandingTokens, tokens);
        return true;
    }

    internal void Exit(long tokens)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Add(ref _outstandingTokens, -tokens);
    }

    internal void SetBlock(WorkerBlock flag, bool on)
    {
        int seen, next;
        do
        {
            seen = Volatile.Read(ref _block);
            next = on ? seen | (int)flag : seen & ~(int)flag;
        }
        while (Interlocked.CompareExchange(ref _block, next, seen) != seen);
    }

    /// <summary>A failed check or connection; true when this failure ejected the worker.</summary>
    internal bool RecordFailure(int failuresToEject)
    {
        Interlocked.Exchange(ref _consecutiveSuccesses, 0);
        var failures = Interlocked.Increment(ref _consecutiveFailures);
        if (failures >= failuresToEject && (Block & WorkerBlock.Ejected) == 0)
        {
            SetBlock(WorkerBlock.Ejected, true);
            return true;
        }
        return false;
    }

    /// <summary>A passing check; true when this success readmitted an ejected worker.</summary>
    internal bool RecordSuccess(int successesToReadmit)
    {
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        var successes = Interlocked.Increment(ref _consecutiveSuccesses);
        if ((Block & WorkerBlock.Ejected) != 0 && successes >= successesToReadmit)
        {
            SetBlock(WorkerBlock.Ejected, false);
            return true;
        }
        return false;
    }
}

/// <summary>Stable 64-bit hashing (FNV-1a then a SplitMix64 finaliser): the same key maps to the same worker across restarts and replicas.</summary>
public static class Stable
{
    public static ulong Hash(ReadOnlySpan<char> text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
