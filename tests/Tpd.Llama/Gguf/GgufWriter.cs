using System.Text;

namespace Tpd.Llama.Gguf;

/// <summary>
/// Writes a GGUF v3 file as ggml's docs/gguf.md lays it out: magic "GGUF", version, tensor count, metadata count
/// (little-endian), the metadata key-value pairs, the tensor infos (name, dimensions innermost first, type, offset
/// into the data section), zero padding to <see cref="Alignment"/>, then each tensor's bytes, each padded to the
/// alignment. Strings are a u64 byte length and UTF-8 without a terminator. Tensor bytes are produced while
/// writing, so a large model never sits in memory whole.
/// </summary>
public sealed class GgufWriter
{
    /// <summary>"GGUF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46554747;

    public const uint Version = 3;

    /// <summary>The default general.alignment, which this writer uses (and so does not write the key).</summary>
    public const int Alignment = 32;

    private readonly List<(string Key, GgufValueType Type, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<Tensor> _tensors = [];

    private sealed record Tensor(string Name, long[] Shape, GgmlType Type, long Bytes, Func<byte[]> Data);

    public int TensorCount => _tensors.Count;

    public void Add(string key, string value) => Put(key, GgufValueType.String, w => WriteString(w, value));

    public void Add(string key, uint value) => Put(key, GgufValueType.UInt32, w => w.Write(value));

    public void Add(string key, int value) => Put(key, GgufValueType.Int32, w => w.Write(value));

    public void Add(string key, float value) => Put(key, GgufValueType.Float32, w => w.Write(value));

    public void Add(string key, bool value) => Put(key, GgufValueType.Bool, w => w.Write((byte)(value ? 1 : 0)));

    public void Add(string key, IReadOnlyList<string> values) => PutArray(key, GgufValueType.String, values.Count, w =>
    {
        foreach (var v in values)
            WriteString(w, v);
    });

    public void Add(string key, IReadOnlyList<float> values) => PutArray(key, GgufValueType.Float32, values.Count, w =>
    {
        foreach (var v in values)
            w.Write(v);
    });

    public void Add(string key, IReadOnlyList<int> values) => PutArray(key, GgufValueType.Int32, values.Count, w =>
    {
        foreach (var v in values)
            w.Write(v);
    });

    /// <summary>
    /// A tensor of <paramref name="shape"/> in ggml order (ne0, the contiguous row length, first) whose bytes
    /// <paramref name="data"/> produces when the file is written; the byte count is checked then.
    /// </summary>
    public void AddTensor(string name, GgmlType type, long[] shape, Func<byte[]> data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is < 1 or > 4 || shape.Any(d => d < 1))
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}]; ggml takes 1 to 4 dimensions of at least 1", nameof(shape));
        if (_tensors.Any(t => t.Name == name))
            throw new ArgumentException($"tensor '{name}' is already in the file", nameof(name));
        var elements = shape.Aggregate(1L, (a, d) => a * d);
        if (type == GgmlType.Q8_0 && shape[0] % TensorEncoding.Q8BlockSize != 0)
            throw new ArgumentException($"tensor '{name}': Q8_0 rows must be a multiple of {TensorEncoding.Q8BlockSize} long, got {shape[0]}", nameof(shape));
        _tensors.Add(new Tensor(name, shape, type, TensorEncoding.ByteSize(type, elements), data));
    }

    /// <summary>Writes the file from the stream's current position, which alignment counts from (a seekable stream: a file).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("GGUF alignment needs a seekable stream, such as a FileStream", nameof(stream));
        var start = stream.Position;
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, type, write) in _metadata)
        {
            WriteString(w, key);
            w.Write((uint)type);
            write(w);
        }

        long offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            foreach (var d in t.Shape)
                w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
            offset = Align(offset + t.Bytes);
        }

        Pad(w, start);
        foreach (var t in _tensors)
        {
            var bytes = t.Data();
            if (bytes.Length != t.Bytes)
                throw new InvalidOperationException($"tensor '{t.Name}' produced {bytes.Length} bytes; its shape and type take {t.Bytes}");
            w.Write(bytes);
            Pad(w, start);
        }
    }

    private void Put(string key, GgufValueType type, Action<BinaryWriter> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_metadata.Any(m => m.Key == key))
            throw new ArgumentException($"metadata key '{key}' is already in the file", nameof(key));
        _metadata.Add((key, type, write));
    }

    private void PutArray(string key, GgufValueType element, int count, Action<BinaryWriter> items) =>
        Put(key, GgufValueType.Array, w =>
        {
            w.Write((uint)element);
            w.Write((ulong)count);
            items(w);
        });

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w, long start)
    {
        w.Flush();
        var position = w.BaseStream.Position - start;
        for (var i = position; i < Align(position); i++)
            w.Write((byte)0);
    }
}
