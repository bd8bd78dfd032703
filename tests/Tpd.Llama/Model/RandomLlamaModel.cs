using Tpd.Llama.Gguf;

namespace Tpd.Llama.Model;

/// <summary>What <see cref="RandomLlamaModel.Write"/> wrote.</summary>
public sealed record ModelFile(string Path, LlamaShape Shape, long Bytes);

/// <summary>
/// Writes a Llama model with seeded random weights as GGUF, with the metadata keys llama.cpp's loader reads for the
/// "llama" architecture (gguf-py's constants: llama.context_length, llama.embedding_length, llama.block_count, ...)
/// and the tensors it expects (token_embd, blk.N.attn_q ... ffn_down, output_norm, output). Matrices are drawn from
/// N(0, 0.02²), the initialisation of GPT-2 and Llama training code; norm weights are 1. The output is gibberish
/// by design: the point is a real engine doing real work of a known shape.
/// </summary>
public static class RandomLlamaModel
{
    /// <summary>Standard deviation of the random matrices.</summary>
    public const float WeightStd = 0.02f;

    // general.file_type values (llama_ftype): all F32 0, mostly F16 1, mostly Q8_0 7.
    private static uint FileType(GgmlType t) => t switch { GgmlType.F32 => 0, GgmlType.F16 => 1, _ => 7 };

    public static ModelFile Write(LlamaShape shape, string path)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var errors = shape.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid model shape: " + string.Join("; ", errors), nameof(shape));

        var gguf = Build(shape);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            gguf.WriteTo(file);
        return new ModelFile(path, shape, new FileInfo(path).Length);
    }

    /// <summary>The whole file, ready to write.</summary>
    public static GgufWriter Build(LlamaShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var g = new GgufWriter();
        g.Add("general.architecture", "llama");
        g.Add("general.name", "tpd-random-llama");
        g.Add("general.file_type", FileType(shape.WeightType));
        if (shape.WeightType == GgmlType.Q8_0)
            g.Add("general.quantization_version", 2u);
        g.Add("llama.context_length", (uint)shape.ContextLength);
        g.Add("llama.embedding_length", (uint)shape.Hidden);
        g.Add("llama.block_count", (uint)shape.Layers);
        g.Add("llama.feed_forward_length", (uint)shape.FeedForward);
        g.Add("llama.attention.head_count", (uint)shape.Heads);
        g.Add("llama.attention.head_count_kv", (uint)shape.KvHeads);
        g.Add("llama.attention.layer_norm_rms_epsilon", shape.RmsNormEpsilon);
        g.Add("llama.rope.dimension_count", (uint)shape.HeadDim);
        g.Add("llama.rope.freq_base", shape.RopeFreqBase);
        g.Add("llama.vocab_size", (uint)shape.VocabSize);

        var vocab = new ByteVocabulary(shape.VocabSize);
        g.Add("tokenizer.ggml.model", "llama");
        g.Add("tokenizer.ggml.tokens", vocab.Tokens);
        g.Add("tokenizer.ggml.scores", vocab.Scores);
        g.Add("tokenizer.ggml.token_type", vocab.Types);
        g.Add("tokenizer.ggml.bos_token_id", (uint)ByteVocabulary.BosId);
        g.Add("tokenizer.ggml.eos_token_id", (uint)ByteVocabulary.EosId);
        g.Add("tokenizer.ggml.unknown_token_id", (uint)ByteVocabulary.UnknownId);
        g.Add("tokenizer.ggml.add_bos_token", true);
        g.Add("tokenizer.ggml.add_eos_token", false);
        g.Add("tokenizer.chat_template", ByteVocabulary.ChatTemplate);

        // Each tensor draws from its own generator (seed, index): the weights do not depend on the order of writing.
        var index = 0;
        void Matrix(string name, int rowLength, int rows) => Add(g, name, shape.WeightType, [rowLength, rows], shape.Seed, index++, WeightStd);
        void Norm(string name) => Add(g, name, GgmlType.F32, [shape.Hidden], shape.Seed, index++, std: 0);

        Matrix("token_embd.weight", shape.Hidden, shape.VocabSize);
        for (var l = 0; l < shape.Layers; l++)
        {
            Norm($"blk.{l}.attn_norm.weight");
            Matrix($"blk.{l}.attn_q.weight", shape.Hidden, shape.Hidden);
            Matrix($"blk.{l}.attn_k.weight", shape.Hidden, shape.KvDim);
            Matrix($"blk.{l}.attn_v.weight", shape.Hidden, shape.KvDim);
            Matrix($"blk.{l}.attn_output.weight", shape.Hidden, shape.Hidden);
            Norm($"blk.{l}.ffn_norm.weight");
            Matrix($"blk.{l}.ffn_gate.weight", shape.Hidden, shape.FeedForward);
            Matrix($"blk.{l}.ffn_up.weight", shape.Hidden, shape.FeedForward);
            Matrix($"blk.{l}.ffn_down.weight", shape.FeedForward, shape.Hidden);
        }

        Norm("output_norm.weight");
        Matrix("output.weight", shape.Hidden, shape.VocabSize);
        return g;
    }

    /// <summary>A tensor of N(0, std²) values (std 0: all ones, a norm's identity weight).</summary>
    private static void Add(GgufWriter g, string name, GgmlType type, long[] shape, int seed, int index, float std) =>
        g.AddTensor(name, type, shape, () =>
        {
            var values = new float[shape[0] * (shape.Length > 1 ? shape[1] : 1)];
            if (std == 0)
            {
                Array.Fill(values, 1f);
            }
            else
            {
                var random = new Random(TensorSeed(seed, index));
                Gaussian(random, values, std);
            }

            return TensorEncoding.Encode(type, values);
        });

    /// <summary>A fixed mix of seed and tensor index (HashCode.Combine is randomised per process, so not that).</summary>
    private static int TensorSeed(int seed, int index) => unchecked((int)((uint)seed * 0x9E3779B1u + (uint)index * 0x85EBCA6Bu));

    /// <summary>Box-Muller: two normal values from two uniform ones.</summary>
    private static void Gaussian(Random random, Span<float> values, float std)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2.0 * Math.Log(u1)) * std;
            values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
                values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
    }
}
