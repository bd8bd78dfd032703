using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;
using Tpd.Twin.Server;

namespace Tpd.Twin.Tests.Support;

/// <summary>Twins for tests: Llama 3.1 8B on one H100 SXM priced by the roofline, as `tpd twin` builds it by default.</summary>
internal static class Twins
{
    public const string Model = "llama-3.1-8b";

    public static RooflineStepModel Roofline()
    {
        var model = ModelResolver.Resolve(Model, _ => null);
        var gpu = GpuCatalog.Default.Get("h100-sxm");
        return new RooflineStepModel(new ModelProfile(model, gpu, new ServingConfig(), Efficiency.Default));
    }

    public static TwinOptions Options(int kvBlocks = 100_000, int maxNumSeqs = 256, double timeFactor = 1, IStepCostModel? cost = null) => new()
    {
        ServedModelName = Model,
        Engine = new EngineOptions { KvBlocks = kvBlocks, MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = 8192 },
        Cost = cost ?? Roofline(),
        TimeFactor = timeFactor,
        MaxModelLen = 8192,
        Seed = 7,
    };

    public static Task<TwinHost> StartAsync(TwinOptions? options = null) => TwinServer.StartAsync(options ?? Options());

    /// <summary>A step model with fixed times: prefill step <paramref name="prefill"/>, decode step <paramref name="decode"/>.</summary>
    public static IStepCostModel Fixed(double prefill, double decode) => new FixedCost(prefill, decode);

    private sealed class FixedCost(double prefill, double decode) : IStepCostModel
    {
        public Duration StepTime(in StepShape shape) => Duration.FromSeconds(shape.PrefillTokens > 0 ? prefill : decode);
    }
}
