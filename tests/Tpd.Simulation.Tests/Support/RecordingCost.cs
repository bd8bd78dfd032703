using Tpd.Core.Units;
using Tpd.Model.Roofline;

namespace Tpd.Simulation.Tests.Support;

/// <summary>Wraps a cost model and keeps every step shape it was asked to price.</summary>
internal sealed class RecordingCost(IStepCostModel inner) : IStepCostModel
{
    public List<StepShape> Shapes { get; } = [];

    public Duration StepTime(in StepShape shape)
    {
        Shapes.Add(shape);
        return inner.StepTime(shape);
    }
}
