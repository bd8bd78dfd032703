namespace Tpd.Llama.Engine;

/// <summary>How the engine runs a GGUF model on the CPU.</summary>
public sealed record LlamaEngineOptions
{
    public required string ModelPath { get; init; }

    /// <summary>Sequences decoded together at most, like vLLM's max_num_seqs; more requests wait in a FIFO queue. Default 8.</summary>
    public int MaxSequences { get; init; } = 8;

    /// <summary>
    /// Tokens the shared KV cache holds (llama.cpp's n_ctx with a unified cache). A request is admitted only when its
    /// prompt plus max_tokens fits beside the others' reservations, so a running sequence never runs out of cache.
    /// Null: MaxSequences x the model's context length, enough for every slot at full length.
    /// </summary>
    public int? KvTokens { get; init; }

    /// <summary>Tokens in one decode call (llama.cpp's n_batch): longer prompts are prefilled in chunks of this many, between decode steps. 512, llama.cpp's default.</summary>
    public int BatchTokens { get; init; } = 512;

    /// <summary>CPU threads llama.cpp uses; null: all cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Seed of sampling for requests that give none (mixed with each request's number).</summary>
    public int Seed { get; init; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxSequences is < 1 or > 256)
            errors.Add($"max sequences {MaxSequences} must be from 1 to 256");
        if (KvTokens is < 16)
            errors.Add($"KV cache of {KvTokens} tokens must hold at least 16");
        if (BatchTokens is < 1 or > 65_536)
            errors.Add($"batch of {BatchTokens} tokens must be from 1 to 65,536");
        if (Threads is < 1 or > 1024)
            errors.Add($"threads {Threads} must be from 1 to 1,024");
        if (!File.Exists(ModelPath))
            errors.Add($"model file '{ModelPath}' does not exist");
        return errors;
    }
}
