namespace Tpd.Core.Formats;

/// <summary>Tensor-core math precision that a GPU's peak FLOP/s figure refers to.</summary>
public enum ComputeType
{
    /// <summary>BF16 or FP16 inputs with FP32 accumulate (same peak on every catalogued chip).</summary>
    Bf16,
    Fp8,
    Int8,
    /// <summary>FP4 (NVFP4/MXFP4) tensor cores: Blackwell and MI355X.</summary>
    Fp4,
}
