namespace Tpd.Simulation.Workloads;

/// <summary>
/// One request a workload submits. Token content is not simulated; what prefix caching needs is which tokens are
/// the same as earlier ones, so a request names a content <see cref="Stream"/>: block j of a request of stream s holds
/// the same tokens as block j of any other request of stream s (a chat session's turns extend one stream). The first
/// <see cref="SharedPrefixTokens"/> tokens may instead come from a stream shared by many requests (a system prompt).
/// </summary>
public readonly record struct RequestSpec
{
    /// <summary>Prompt tokens (for a chat turn: the whole conversation so far plus the new message).</summary>
    public required int InputTokens { get; init; }

    /// <summary>Output tokens the request generates (max_tokens with ignore_eos).</summary>
    public required int OutputTokens { get; init; }

    /// <summary>Content stream id from <see cref="IWorkloadContext.NewStreamId"/>; 0: content of its own.</summary>
    public long Stream { get; init; }

    /// <summary>Stream of a prefix shared across requests (0: none).</summary>
    public long SharedPrefixStream { get; init; }

    /// <summary>Leading prompt tokens that come from <see cref="SharedPrefixStream"/>.</summary>
    public int SharedPrefixTokens { get; init; }

    /// <summary>
    /// Content keys of the request's full KV blocks, for a caller that knows the real tokens (the twin): entry j
    /// identifies block j (tokens j * block size to (j + 1) * block size - 1 of the prompt followed by the output), and
    /// should chain the key before it, as vLLM's block hash does (vllm/v1/core/kv_cache_utils.py hash_block_tokens:
    /// hash of the parent block's hash and this block's token ids), so equal keys mean equal prefixes and no key repeats
    /// within a request. Blocks past the end keep their <see cref="Stream"/> identity. Keys must not collide with
    /// stream keys, which are non-negative (stream &lt;&lt; 24 | block index): set the sign bit. When present, every
    /// full block is registered and looked up, as vLLM does; null (the default) costs the batch simulator nothing. An
    /// array, not a ReadOnlyMemory: the spec is copied by value on the simulator's hot path, and 8 bytes beat 16.
    /// </summary>
    public long[]? BlockKeys { get; init; }

    /// <summary>Chat session (routing affinity and records); -1: none.</summary>
    public long Session { get; init; }

    /// <summary>Opaque value the workload gets back on completion.</summary>
    public long Tag { get; init; }

    /// <summary>When the request was due or became ready (t_sched); null: the submit instant.</summary>
    public double? ScheduledSeconds { get; init; }

    public static RequestSpec Single(int inputTokens, int outputTokens) =>
        new() { InputTokens = inputTokens, OutputTokens = outputTokens, Session = -1 };
}

/// <summary>What a workload learns when one of its requests has produced its last token.</summary>
public readonly record struct CompletedRequest(long Id, RequestSpec Spec, double FinishedSeconds, bool Rejected);
