namespace Tpd.Core.Formats;

/// <summary>Storage format of quantized linear-layer weights.</summary>
public enum WeightKind
{
    Bf16,
    Fp16,
    Fp8,
    Int8,
    /// <summary>Weight-only 4-bit integer with a group scale and zero point (AWQ, GPTQ).</summary>
    Int4,
    /// <summary>OCP microscaling FP4: E2M1 values, one E8M0 scale byte per 32 values.</summary>
    Mxfp4,
    /// <summary>NVIDIA FP4: E2M1 values, one FP8 (E4M3) scale per 16 values plus a per-tensor FP32 scale.</summary>
    Nvfp4,
}

/// <summary>
/// A weight storage format with its metadata overhead. Bytes per parameter include group scales
/// and zero points: int4 g128 with an fp16 scale and a packed 4-bit zero is 0.5 + 2.5/128 bytes
/// (4.16 bits; AutoAWQ and GPTQ layouts), mxfp4 is 0.5 + 1/32 (OCP MX spec v1.0), nvfp4 is
/// 0.5 + 1/16 (NVIDIA NVFP4 format: fp8 scale per 16 values).
/// </summary>
public readonly record struct WeightFormat(WeightKind Kind, int GroupSize = 0)
{
    public static WeightFormat Bf16 => new(WeightKind.Bf16);
    public static WeightFormat Fp16 => new(WeightKind.Fp16);
    public static WeightFormat Fp8 => new(WeightKind.Fp8);
    public static WeightFormat Int8 => new(WeightKind.Int8);
    public static WeightFormat Int4(int groupSize = 128) => new(WeightKind.Int4, groupSize);
    public static WeightFormat Mxfp4 => new(WeightKind.Mxfp4, 32);
    public static WeightFormat Nvfp4 => new(WeightKind.Nvfp4, 16);

    /// <summary>Storage bytes per parameter, including scale and zero-point overhead.</summary>
    public double BytesPerParameter => Kind switch
    {
        WeightKind.Bf16 or WeightKind.Fp16 => 2.0,
        // Per-channel or 128x128 block fp32 scales are below 0.03% and ignored.
        WeightKind.Fp8 or WeightKind.Int8 => 1.0,
        // fp16 scale (2 bytes) + packed 4-bit zero point (0.5 byte) per group; per-channel when GroupSize is 0 or -1.
        WeightKind.Int4 => 0.5 + (GroupSize > 0 ? 2.5 / GroupSize : 0.0),
        WeightKind.Mxfp4 => 0.5 + 1.0 / 32,
        WeightKind.Nvfp4 => 0.5 + 1.0 / 16,
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown weight kind"),
    };

    /// <summary>
    /// The tensor-core precision that matmuls on these weights run at, given what the GPU has.
    /// Weight-only int4 dequantizes to bf16 (Marlin/AWQ kernels); fp8 runs on FP8 cores where they exist;
    /// fp4 formats run on FP4 cores where they exist, else dequantize to fp8 or bf16 (vLLM's Marlin fallback).
    /// </summary>
    public ComputeType PreferredCompute => Kind switch
    {
        WeightKind.Fp8 => ComputeType.Fp8,
        WeightKind.Int8 => ComputeType.Int8,
        WeightKind.Mxfp4 or WeightKind.Nvfp4 => ComputeType.Fp4,
        _ => ComputeType.Bf16,
    };

    public override string ToString() => Kind switch
    {
        WeightKind.Int4 => GroupSize > 0 ? $"int4-g{GroupSize}" : "int4",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Names accepted on the command line and in files.</summary>
    public static IReadOnlyList<string> Names { get; } = ["bf16", "fp16", "fp8", "int8", "int4", "int4-g128", "int4-g64", "int4-g32", "mxfp4", "nvfp4"];

    public static bool TryParse(string text, out WeightFormat format)
    {
        var t = text.Trim().ToLowerInvariant();
        format = t switch
        {
            "bf16" or "bfloat16" => Bf16,
            "fp16" or "float16" or "half" => Fp16,
            "fp8" or "fp8-e4m3" or "e4m3" => Fp8,
            "int8" or "w8a8" or "w8a16" => Int8,
            "int4" or "awq" or "gptq" => Int4(128),
            "mxfp4" => Mxfp4,
            "nvfp4" => Nvfp4,
            _ when t.StartsWith("int4-g", StringComparison.Ordinal) && int.TryParse(t.AsSpan(6), out var g) && g > 0 => Int4(g),
            _ => default,
        };
        return format != default || t is "bf16" or "bfloat16";
    }
}
