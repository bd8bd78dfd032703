using Tpd.Core.Units;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Config;

/// <summary>A validated gateway configuration. Built only by <see cref="ConfigLoader"/>; every field is in range.</summary>
public sealed record GatewayConfig
{
    /// <summary>Where Kestrel listens. Default 127.0.0.1:8080: loopback unless the operator says otherwise.</summary>
    public required Uri Listen { get; init; }

    /// <summary>Pool name, the `pool` label on every metric.</summary>
    public required string Pool { get; init; }

    public required IReadOnlyList<WorkerConfig> Workers { get; init; }
    public required RoutingConfig Routing { get; init; }
    public required DrainConfig Drain { get; init; }
    public required HealthConfig Health { get; init; }
    public required LimitsConfig Limits { get; init; }
    public required ScalingConfig Scaling { get; init; }
    public required SecurityConfig Security { get; init; }
}

/// <summary>One inference worker (a vLLM, SGLang or twin server).</summary>
public sealed record WorkerConfig
{
    public required string Name { get; init; }

    /// <summary>Base URL; the gateway appends /v1/... to it.</summary>
    public required Uri Url { get; init; }

    /// <summary>What the worker costs to rent, all its GPUs together.</summary>
    public required MoneyRate Price { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>Relative capacity: routing divides load by weight. Default 1.</summary>
    public required double Weight { get; init; }

    /// <summary>Most requests the gateway sends at once; more wait in the gateway queue. Default 256 (vLLM's max_num_seqs default on large GPUs).</summary>
    public required int MaxInFlight { get; init; }

    /// <summary>Bearer key the worker itself expects, read from this environment variable at start (never stored in the file).</summary>
    public string? ApiKeyEnv { get; init; }
}

public enum BalancePolicy
{
    LeastRequests,
    LeastTokens,
    PowerOfTwo,
    Affinity,
}

public enum AffinitySource
{
    Header,
    User,
    Prefix,
}

public sealed record RoutingConfig
{
    public required BalancePolicy Policy { get; init; }

    /// <summary>Where the session key comes from, tried in order. Default header, user, prefix.</summary>
    public required IReadOnlyList<AffinitySource> AffinitySources { get; init; }

    /// <summary>Header carrying a session id. Default x-session-id.</summary>
    public required string AffinityHeader { get; init; }

    /// <summary>Characters of the first message (or prompt) hashed as the session key. Default 256: long enough to tell
    /// system prompts apart, short enough that a shared prefix lands on one worker's prefix cache.</summary>
    public required int AffinityPrefixChars { get; init; }

    /// <summary>Output tokens assumed for least-tokens when a request gives no max_tokens. Default 256.</summary>
    public required int DefaultMaxTokens { get; init; }
}

public sealed record DrainConfig
{
    public required bool Enabled { get; init; }

    /// <summary>Absolute floor in output tokens/s per $/hour; null when only the relative rule applies.</summary>
    public double? MinTokensPerSecondPerDollar { get; init; }

    /// <summary>Fraction of the pool median (of other loaded workers) below which a worker counts as slow. Default 0.5.</summary>
    public double? RelativeToMedian { get; init; }

    /// <summary>Length of one judging window. Default 5 s.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Consecutive slow windows before a drain. Default 3.</summary>
    public required int Windows { get; init; }

    /// <summary>Mean in-flight requests a worker needs in a window for it to be judged; below it the worker is demand-limited. Default 2.</summary>
    public required double MinInFlight { get; init; }

    /// <summary>Probe speed must clear the threshold by this margin before readmission. Default 0.1 (10 %).</summary>
    public required double Hysteresis { get; init; }

    /// <summary>Consecutive good probes before readmission. Default 2.</summary>
    public required int ReadmitProbes { get; init; }

    /// <summary>Time between probes of a drained worker. Default 5 s.</summary>
    public required TimeSpan ProbeInterval { get; init; }

    /// <summary>Model name for probe requests; default the first id the worker lists at /v1/models.</summary>
    public string? ProbeModel { get; init; }

    /// <summary>Output tokens of one probe request. Default 16.</summary>
    public required int ProbeTokens { get; init; }
}

public sealed record HealthConfig
{
    /// <summary>Default 5 s.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Default 2 s.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Default /health (vLLM and SGLang serve it).</summary>
    public required string Path { get; init; }

    /// <summary>Consecutive failures (checks or connection errors) that eject a worker. Default 2.</summary>
    public required int FailuresToEject { get; init; }

    /// <summary>Consecutive successful checks that bring an ejected worker back. Default 1.</summary>
    public required int SuccessesToReadmit { get; init; }
}

public sealed record LimitsConfig
{
    /// <summary>Largest request body; larger gets 413. Default 1 MiB (a 128k-token prompt is about 512 KB of text).</summary>
    public required long MaxBodyBytes { get; init; }

    /// <summary>Requests waiting for a worker slot; beyond it 429. Default 1024.</summary>
    public required int QueueSize { get; init; }

    /// <summary>Longest wait for a slot before 429. Default 10 s.</summary>
    public required TimeSpan QueueTimeout { get; init; }

    /// <summary>Retries on other workers when a worker fails before the first byte. Default 2.</summary>
    public required int MaxRetries { get; init; }

    /// <summary>Seconds in the Retry-After header of a 429. Default 1.</summary>
    public required int RetryAfterSeconds { get; init; }

    /// <summary>Upstream TCP connect timeout. Default 5 s.</summary>
    public required TimeSpan ConnectTimeout { get; init; }

    /// <summary>Longest wait for upstream response headers. Default 300 s (a long prompt under load).</summary>
    public required TimeSpan FirstByteTimeout { get; init; }

    /// <summary>Longest silence inside a stream before the worker counts as failed. Default 120 s (vLLM sends a
    /// chunk per decode step; a minute without one means a stuck engine).</summary>
    public required TimeSpan StreamIdleTimeout { get; init; }
}

public sealed record ScalingConfig
{
    /// <summary>Concurrency one worker should carry; desired replicas = ceil((in-flight + queued) / target). Default 32.</summary>
    public required int TargetInFlightPerWorker { get; init; }
}

public sealed record SecurityConfig
{
    /// <summary>SHA-256 hashes of accepted client API keys; empty means no key is required.</summary>
    public required IReadOnlyList<KeyHash> ApiKeys { get; init; }

    /// <summary>Hash of the admin key; null disables the admin API.</summary>
    public KeyHash? AdminKey { get; init; }

    /// <summary>Client networks allowed; default loopback only (127.0.0.0/8 and ::1/128).</summary>
    public required IReadOnlyList<CidrRange> AllowCidrs { get; init; }

    /// <summary>Whether /metrics needs the admin key. Default false (Prometheus scrapes it; the allowlist still applies).</summary>
    public required bool MetricsNeedAdminKey { get; init; }
}
