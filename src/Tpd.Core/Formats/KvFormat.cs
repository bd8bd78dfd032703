namespace Tpd.Core.Formats;

/// <summary>Data type of the KV cache entries.</summary>
public enum KvFormat
{
    Bf16,
    Fp16,
    /// <summary>FP8 (E4M3/E5M2) KV cache, as vLLM's --kv-cache-dtype fp8.</summary>
    Fp8,
    Fp32,
}

public static class KvFormats
{
    public static double BytesPerElement(this KvFormat f) => f switch
    {
        KvFormat.Bf16 or KvFormat.Fp16 => 2,
        KvFormat.Fp8 => 1,
        KvFormat.Fp32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, "unknown KV format"),
    };

    public static IReadOnlyList<string> Names { get; } = ["bf16", "fp16", "fp8", "fp32"];

    public static bool TryParse(string text, out KvFormat format)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "bf16" or "bfloat16" or "auto": format = KvFormat.Bf16; return true;
            case "fp16" or "float16" or "half": format = KvFormat.Fp16; return true;
            case "fp8" or "fp8_e4m3" or "fp8_e5m2" or "fp8-e4m3" or "fp8-e5m2": format = KvFormat.Fp8; return true;
            case "fp32" or "float32": format = KvFormat.Fp32; return true;
            default: format = default; return false;
        }
    }

    public static string Name(this KvFormat f) => f.ToString().ToLowerInvariant();
}
