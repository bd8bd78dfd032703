using System.Text.Json.Serialization;

namespace Tpd.Core.Models;

/// <summary>One row of Catalog/Data/models/index.json: a model by name, its config.json and its published size.</summary>
public sealed record ModelCatalogEntry
{
    /// <summary>Canonical lower-case id, e.g. "llama-3.1-70b".</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Other names accepted (Hugging Face repo ids, instruct variants).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>config.json file name under Catalog/Data/models.</summary>
    public required string File { get; init; }

    /// <summary>Published total parameters as written by the authors ("70.6B"); its digits state its precision.</summary>
    public required string ParamsTotal { get; init; }

    /// <summary>Published active parameters for MoE models ("12.9B"); null for dense models.</summary>
    public string? ParamsActive { get; init; }

    /// <summary>The publisher's active figure leaves out the input embedding (gpt-oss, DeepSeek).</summary>
    public bool ActiveExcludesEmbedding { get; init; }

    /// <summary>Read the architecture but not the file's quantization_config (a bf16 model sharing an FP8 checkpoint's config).</summary>
    public bool IgnoreQuantization { get; init; }

    /// <summary>Where the published parameter figures come from.</summary>
    public required string ParamsSource { get; init; }

    /// <summary>Repository, path and commit of the config.json copy.</summary>
    public required string ConfigSource { get; init; }
}

internal sealed record ModelIndex
{
    public required IReadOnlyList<ModelCatalogEntry> Models { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ModelIndex))]
internal sealed partial class ModelIndexJsonContext : JsonSerializerContext;
