using Tpd.Core.Models;

namespace Tpd.Model.Memory;

/// <summary>
/// What the memory and roofline math derive from a model's architecture alone: its parameter counts and the layout
/// of its KV cache. Computed once per model and carried, not cached: a <see cref="Replicas.ReplicaBuilder"/> holds
/// one and every profile it builds shares it, so a plan over hundreds of setups counts the model once.
/// </summary>
public sealed class ModelShape
{
    private ModelShape(ModelArchitecture architecture)
    {
        Architecture = architecture;
        Parameters = ParameterCounter.Count(architecture);
        Kv = KvLayout.Of(architecture);
    }

    public ModelArchitecture Architecture { get; }

    public ParameterCounts Parameters { get; }

    public KvLayout Kv { get; }

    /// <summary>Counts and lays out <paramref name="model"/> (microseconds for the largest catalog model).</summary>
    public static ModelShape Of(ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelShape(model);
    }
}
