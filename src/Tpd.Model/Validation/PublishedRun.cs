using Tpd.Core.Formats;

namespace Tpd.Model.Validation;

/// <summary>
/// A throughput someone measured and published, with its conditions: what `tpd` compares its own prediction against
/// so a user sees how far to trust a GPU's figures.
/// </summary>
/// <param name="GpuId">Catalog GPU id.</param>
/// <param name="ModelId">Catalog model id.</param>
/// <param name="Weights">Weight format the run used.</param>
/// <param name="Gpus">GPUs in the system (the prediction may use any tensor-parallel degree up to this, as submitters tune it).</param>
/// <param name="OutputTokensPerSecondPerGpu">Published output tokens/s divided by the GPUs.</param>
/// <param name="Engine">Serving engine and version.</param>
/// <param name="Benchmark">The benchmark, scenario and division.</param>
/// <param name="InputTokens">Prompt tokens per request the prediction uses.</param>
/// <param name="OutputTokens">Output tokens per request the prediction uses.</param>
public sealed record PublishedRun(
    string GpuId, string ModelId, WeightFormat Weights, int Gpus, double OutputTokensPerSecondPerGpu, string Engine, string Benchmark,
    int InputTokens, int OutputTokens)
{
    public string Describe => $"{Benchmark}, {Gpus} x {GpuId}, {Engine}: {OutputTokensPerSecondPerGpu:#,0.#} output tokens/s per GPU";
}
