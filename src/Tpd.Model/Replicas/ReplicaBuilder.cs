using System.Globalization;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Memory;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Replicas;

/// <summary>
/// The one place a replica is assembled: model profile, memory budget, does it fit, step model. Estimate, its advice,
/// simulate, twin, plan and bench's prediction all build here; the simulator's engine options are made from the
/// result (<c>EngineOptions.For</c>), because the Model layer does not know the simulator.
/// One builder per model: it holds the model's <see cref="ModelShape"/>, so every profile it builds shares one count.
/// </summary>
public sealed class ReplicaBuilder
{
    public ReplicaBuilder(ModelArchitecture model)
        : this(ModelShape.Of(model))
    {
    }

    public ReplicaBuilder(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
    }

    public ModelShape Shape { get; }

    public ModelArchitecture Model => Shape.Architecture;

    /// <summary>Every problem with serving the model this way, each with its fix; empty when <see cref="Build"/> may be called.</summary>
    public IReadOnlyList<string> Validate(ReplicaSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var errors = new List<string>();
        errors.AddRange(setup.Serving.Validate());
        errors.AddRange(setup.Efficiency.Validate());
        errors.AddRange(setup.Serving.SplitErrors(Model));
        return errors;
    }

    /// <summary>Assembles a replica of the model on <paramref name="setup"/>.</summary>
    /// <param name="setup">How it is served.</param>
    /// <param name="sequenceTokens">
    /// Tokens one sequence must be able to hold for the replica to fit (estimate asks for its full context); null: one KV block.
    /// </param>
    /// <exception cref="ArgumentException">The setup is invalid; the message lists every problem (<see cref="Validate"/>).</exception>
    public ReplicaAssembly Build(ReplicaSetup setup, double? sequenceTokens = null)
    {
        var errors = Validate(setup);
        if (errors.Count > 0)
            throw new ArgumentException($"cannot serve {Model.Name} this way: {string.Join("; ", errors)}", nameof(setup));
        return Assemble(setup, sequenceTokens);
    }

    /// <summary><see cref="Build"/> for a setup already validated (the estimator checks its whole request first).</summary>
    internal ReplicaAssembly Assemble(ReplicaSetup setup, double? sequenceTokens)
    {
        var profile = new ModelProfile(Shape, setup.Gpu, setup.Serving, setup.Efficiency);
        var memory = MemoryBudget.For(profile, setup.MemoryPerGpu);
        var blockBytes = DataSize.FromBytes(profile.KvBytesPerTokenPerGpu * setup.Serving.BlockSize);
        var kvNeeded = sequenceTokens is { } tokens ? DataSize.Max(blockBytes, MemoryBudget.BytesPerSequence(profile, tokens)) : blockBytes;
        // What the budget leaves for the KV cache, in the order MemoryBudget takes it (unclamped, so that a shortfall shows).
        var free = memory.Budget - memory.Weights - memory.Activations - memory.RuntimeReserve;
        var deficit = DataSize.Max(DataSize.Zero, kvNeeded - free);
        if (deficit == DataSize.Zero)
            return new AssembledReplica(profile, memory, StepModelFor(profile));
        return new ReplicaDeficit(profile, memory, deficit, DoesNotFit(profile, memory, sequenceTokens, kvNeeded), () => FitAdvice.For(this, setup, sequenceTokens, profile.WeightFormat));
    }

    /// <summary>
    /// The one place a step model is made from a profile: the roofline with the setup's efficiency constants. A
    /// calibration profile (step costs fitted to bench runs) plugs in here and reaches every command at once.
    /// </summary>
    private static RooflineStepModel StepModelFor(ModelProfile profile) => new(profile);

    private static string DoesNotFit(ModelProfile p, in MemoryBudget m, double? sequenceTokens, DataSize kvNeeded)
    {
        if (m.Deficit > DataSize.Zero)
        {
            var utilization = p.Efficiency.IsIdeal ? 1 : p.Serving.GpuMemoryUtilization;
            return Inv($"does not fit: weights ({m.Weights.GB:0.#} GB), activations ({m.Activations.GB:0.#} GB) and runtime reserve ({m.RuntimeReserve.GB:0.#} GB) per GPU exceed the {m.Budget.GB:0.#} GB budget ({m.Capacity.GB:0.#} GB x {utilization:0.##}) by {m.Deficit.GB:0.#} GB");
        }

        return sequenceTokens is { } tokens
            ? Inv($"does not fit: the {m.KvPool.GB:0.##} GB KV pool per GPU cannot hold one sequence of {tokens:N0} tokens ({kvNeeded.GB:0.##} GB per GPU)")
            : Inv($"does not fit: the {m.KvPool.GB:0.##} GB KV pool per GPU cannot hold one KV block of {p.Serving.BlockSize} tokens ({kvNeeded.GB:0.####} GB per GPU)");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
