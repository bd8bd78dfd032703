using Tpd.Core.Formats;

namespace Tpd.Model.Validation;

/// <summary>
/// The published runs `tpd` checks itself against, one per GPU where one exists (docs/validation/estimate-calibration.md).
/// </summary>
public static class PublishedRuns
{
    // MLPerf Inference v4.1 closed division, Llama-2-70B Offline (mlcommons/inference_results_v4.1, each system's
    // mlperf_log_summary.txt; the figures are those of the development set). Evaluated at 294 input and 294 output
    // tokens: 294.45 is the data set's mean output, and a 1,024-token mean input would need more than 90 % of the
    // H100's dense FP8 peak (docs/validation/estimate-calibration.md, "MLPerf input length").
    private const string MlPerf = "MLPerf Inference v4.1 Offline, Llama-2-70B";
    private const int Tokens = 294;

    public static IReadOnlyList<PublishedRun> All { get; } =
    [
        new("h100-sxm", "llama-2-70b", WeightFormat.Fp8, 8, 3_065.6, "TensorRT-LLM, FP8", MlPerf, Tokens, Tokens),
        new("h100-pcie", "llama-2-70b", WeightFormat.Fp8, 8, 1_160.2, "TensorRT-LLM, FP8", MlPerf, Tokens, Tokens),
        new("h100-nvl", "llama-2-70b", WeightFormat.Fp8, 8, 1_984.5, "TensorRT-LLM, FP8", MlPerf, Tokens, Tokens),
        new("h200", "llama-2-70b", WeightFormat.Fp8, 8, 3_882.4, "TensorRT-LLM, FP8", MlPerf, Tokens, Tokens),
        new("b200", "llama-2-70b", WeightFormat.Nvfp4, 1, 11_264.4, "TensorRT-LLM, FP4", MlPerf, Tokens, Tokens),
        new("l40s", "llama-2-70b", WeightFormat.Fp8, 8, 464.7, "TensorRT-LLM, FP8", MlPerf, Tokens, Tokens),
        new("mi300x", "llama-2-70b", WeightFormat.Fp8, 8, 3_013.7, "vLLM 0.4.3, FP8", MlPerf, Tokens, Tokens),
    ];

    /// <summary>The run published for this GPU id, or null.</summary>
    public static PublishedRun? For(string gpuId) => All.FirstOrDefault(r => r.GpuId == gpuId);
}
