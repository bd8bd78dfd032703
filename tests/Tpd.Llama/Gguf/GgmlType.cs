using System.Diagnostics.CodeAnalysis;

namespace Tpd.Llama.Gguf;

/// <summary>The ggml tensor types this writer produces; the numbers are ggml's enum ggml_type values (ggml.h).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,

    /// <summary>Blocks of 32 weights: one F16 scale and 32 signed bytes (34 bytes, 8.5 bits a weight).</summary>
    [SuppressMessage("Naming", "CA1707", Justification = "ggml's own name for the type, as users type it")]
    Q8_0 = 8,
}
