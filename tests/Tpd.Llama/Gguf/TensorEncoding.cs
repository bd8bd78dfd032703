namespace Tpd.Llama.Gguf;

/// <summary>Turns float weights into the bytes of a ggml tensor type (little-endian, as ggml stores them).</summary>
public static class TensorEncoding
{
    /// <summary>Weights per Q8_0 block (ggml's QK8_0).</summary>
    public const int Q8BlockSize = 32;

    /// <summary>Bytes of one Q8_0 block: an F16 scale and 32 int8 quants.</summary>
    public const int Q8BlockBytes = 2 + Q8BlockSize;

    /// <summary>Bytes a tensor of <paramref name="elements"/> weights takes; Q8_0 needs whole blocks.</summary>
    public static long ByteSize(GgmlType type, long elements) => type switch
    {
        GgmlType.F32 => elements * 4,
        GgmlType.F16 => elements * 2,
        GgmlType.Q8_0 when elements % Q8BlockSize == 0 => elements / Q8BlockSize * Q8BlockBytes,
        GgmlType.Q8_0 => throw new ArgumentException($"Q8_0 needs a multiple of {Q8BlockSize} weights, got {elements}", nameof(elements)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "use F32, F16 or Q8_0"),
    };

    public static byte[] Encode(GgmlType type, ReadOnlySpan<float> values)
    {
        var bytes = new byte[ByteSize(type, values.Length)];
        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < values.Length; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
                break;
            case GgmlType.F16:
                for (var i = 0; i < values.Length; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (Half)values[i]);
                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < values.Length / Q8BlockSize; b++)
                    EncodeQ8Block(values.Slice(b * Q8BlockSize, Q8BlockSize), bytes.AsSpan(b * Q8BlockBytes, Q8BlockBytes));
                break;
        }

        return bytes;
    }

    /// <summary>
    /// ggml's quantize_row_q8_0_ref: scale d = max|x| / 127 stored as F16, quants round(x / d) away from zero; the
    /// quants use the float scale, not the F16-rounded one, exactly as ggml does.
    /// </summary>
    private static void EncodeQ8Block(ReadOnlySpan<float> x, Span<byte> block)
    {
        var amax = 0f;
        foreach (var v in x)
            amax = MathF.Max(amax, MathF.Abs(v));
        var d = amax / 127f;
        var id = d != 0 ? 1f / d : 0f;
        BitConverter.TryWriteBytes(block, (Half)d);
        for (var j = 0; j < x.Length; j++)
            block[2 + j] = unchecked((byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
    }
}
