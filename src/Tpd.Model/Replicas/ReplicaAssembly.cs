using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Replicas;

/// <summary>
/// What <see cref="ReplicaBuilder"/> makes of a setup: an <see cref="AssembledReplica"/> when the model fits, else a
/// <see cref="ReplicaDeficit"/>. Both carry the profile and the memory budget, which reports show either way.
/// </summary>
public abstract class ReplicaAssembly
{
    private protected ReplicaAssembly(ModelProfile profile, MemoryBudget memory)
    {
        Profile = profile;
        Memory = memory;
    }

    public ModelProfile Profile { get; }

    public MemoryBudget Memory { get; }

    /// <summary>
    /// Memory per GPU still missing for the weights, the activation peak, the runtime reserve and the KV cache of one
    /// sequence (one block unless the build asked for a longer sequence); zero exactly when the replica fits.
    /// </summary>
    public abstract DataSize Deficit { get; }

    public bool Fits => Deficit == DataSize.Zero;
}

/// <summary>Everything a replica that fits needs: its profile, memory budget and step model (the simulator's engine options come from it).</summary>
public sealed class AssembledReplica : ReplicaAssembly
{
    internal AssembledReplica(ModelProfile profile, MemoryBudget memory, RooflineStepModel stepModel)
        : base(profile, memory) => StepModel = stepModel;

    /// <summary>Prices the replica's engine steps.</summary>
    public RooflineStepModel StepModel { get; }

    public override DataSize Deficit => DataSize.Zero;
}

/// <summary>A setup the model does not fit: by how much, the one message that says so, and what would fit.</summary>
public sealed class ReplicaDeficit : ReplicaAssembly
{
    private readonly Lazy<IReadOnlyList<string>> _advice;

    internal ReplicaDeficit(ModelProfile profile, MemoryBudget memory, DataSize deficit, string message, Func<IReadOnlyList<string>> advise)
        : base(profile, memory)
    {
        Deficit = deficit;
        Message = message;
        _advice = new Lazy<IReadOnlyList<string>>(advise);
    }

    public override DataSize Deficit { get; }

    /// <summary>The one "does not fit" message: what takes the memory and by how much it is exceeded, e.g. "does not fit: weights (141.1 GB), ...".</summary>
    public string Message { get; }

    /// <summary>
    /// The TP degree and smaller data types that would fit, as the flags of estimate, simulate and twin. Worked out on
    /// first use: each is another assembly, and the planner, which searches those itself, never asks.
    /// </summary>
    public IReadOnlyList<string> Advice => _advice.Value;

    /// <summary>The message with the setup named: "Llama-3.1-70B on 1 x h100-sxm does not fit: ...".</summary>
    public string Summary => $"{Profile.Model.Name} on {Profile.Serving.GpusPerReplica} x {Profile.Gpu.Id} {Message}";

    /// <summary>The summary and the advice in one line, for a command's error.</summary>
    public string SummaryWithAdvice => string.Join("; ", [Summary, .. Advice]);
}
