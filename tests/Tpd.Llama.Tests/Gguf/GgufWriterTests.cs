using System.Buffers.Binary;
using System.Security.Cryptography;
using Tpd.Llama.Gguf;
using Tpd.Llama.Model;

namespace Tpd.Llama.Tests.Gguf;

/// <summary>The file layout of ggml's docs/gguf.md, checked byte by byte (llama.cpp reading it is checked in LlamaCppLoadTests).</summary>
public class GgufWriterTests
{
    private static byte[] Write(GgufWriter g)
    {
        using var stream = new MemoryStream();
        g.WriteTo(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Header_is_magic_version_3_then_tensor_and_metadata_counts()
    {
        var g = new GgufWriter();
        g.Add("general.architecture", "llama");
        g.Add("answer", 42u);
        g.AddTensor("t", GgmlType.F32, [3], () => TensorEncoding.Encode(GgmlType.F32, [1f, 2f, 3f]));

        var bytes = Write(g);

        "GGUF"u8.SequenceEqual(bytes.AsSpan(0, 4)).ShouldBeTrue();
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)).ShouldBe(3u);
        BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)).ShouldBe(1ul);
        BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)).ShouldBe(2ul);
        // First key: u64 length 20, "general.architecture", type 8 (string), u64 length 5, "llama".
        BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)).ShouldBe(20ul);
        "general.architecture"u8.SequenceEqual(bytes.AsSpan(32, 20)).ShouldBeTrue();
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(52)).ShouldBe((uint)GgufValueType.String);
    }

    [Fact]
    public void Tensor_data_starts_on_the_32_byte_alignment_and_each_tensor_is_padded()
    {
        var g = new GgufWriter();
        g.AddTensor("a", GgmlType.F32, [3], () => TensorEncoding.Encode(GgmlType.F32, [1f, 2f, 3f]));
        g.AddTensor("b", GgmlType.F32, [1], () => TensorEncoding.Encode(GgmlType.F32, [7f]));

        var bytes = Write(g);

        // The last tensor (4 bytes) sits at the end of the file, padded to 32; the first 32 bytes before it.
        bytes.Length.ShouldBe(bytes.Length / 32 * 32);
        var b = bytes.Length - 32;
        BitConverter.ToSingle(bytes, b).ShouldBe(7f);
        BitConverter.ToSingle(bytes, b - 32).ShouldBe(1f);
        BitConverter.ToSingle(bytes, b - 32 + 8).ShouldBe(3f);
    }

    [Fact]
    public void A_tensor_whose_bytes_do_not_match_its_shape_is_refused()
    {
        var g = new GgufWriter();
        g.AddTensor("a", GgmlType.F16, [4], () => new byte[6]);

        Should.Throw<InvalidOperationException>(() => Write(g)).Message.ShouldBe("tensor 'a' produced 6 bytes; its shape and type take 8");
    }

    [Fact]
    public void Duplicate_keys_and_q8_rows_off_the_block_size_are_refused()
    {
        var g = new GgufWriter();
        g.Add("k", 1u);
        Should.Throw<ArgumentException>(() => g.Add("k", 2u)).Message.ShouldStartWith("metadata key 'k' is already in the file");
        Should.Throw<ArgumentException>(() => g.AddTensor("q", GgmlType.Q8_0, [48, 2], () => [])).Message.ShouldStartWith("tensor 'q': Q8_0 rows must be a multiple of 32 long, got 48");
    }

    [Fact]
    public void Q8_0_block_is_an_f16_scale_of_max_over_127_and_rounded_quants()
    {
        // x_j = j - 16 for j in 0..31: max |x| = 16, d = 16/127, q_j = round((j - 16) * 127 / 16) away from zero.
        var x = Enumerable.Range(0, 32).Select(j => (float)(j - 16)).ToArray();

        var block = TensorEncoding.Encode(GgmlType.Q8_0, x);

        block.Length.ShouldBe(34);
        BitConverter.ToHalf(block, 0).ShouldBe((Half)(16f / 127f));
        ((sbyte)block[2]).ShouldBe((sbyte)-127);   // x = -16
        ((sbyte)block[2 + 18]).ShouldBe((sbyte)16); // x = 2: 2 * 7.9375 = 15.875 -> 16
        ((sbyte)block[2 + 17]).ShouldBe((sbyte)8);  // x = 1: 7.9375 -> 8
        ((sbyte)block[2 + 16]).ShouldBe((sbyte)0);
    }

    [Fact]
    public void F16_is_little_endian_half_precision()
    {
        var bytes = TensorEncoding.Encode(GgmlType.F16, [1f, -2f]);

        bytes.ShouldBe(new byte[] { 0x00, 0x3C, 0x00, 0xC0 });
    }

    [Fact]
    public void The_same_shape_and_seed_give_the_same_file_and_another_seed_a_different_one()
    {
        var shape = new LlamaShape { Layers = 1, Hidden = 32, FeedForward = 64, Heads = 2, KvHeads = 1, VocabSize = ByteVocabulary.BaseSize };
        static string Hash(LlamaShape s)
        {
            using var stream = new MemoryStream();
            RandomLlamaModel.Build(s).WriteTo(stream);
            return Convert.ToHexString(SHA256.HashData(stream.ToArray()));
        }

        Hash(shape).ShouldBe(Hash(shape));
        Hash(shape with { Seed = 2 }).ShouldNotBe(Hash(shape));
    }

    [Fact]
    public void An_impossible_shape_reports_every_problem_at_once()
    {
        var errors = new LlamaShape { Hidden = 100, Heads = 3, KvHeads = 2, VocabSize = 100, WeightType = GgmlType.Q8_0, FeedForward = 90 }.Validate();

        errors.ShouldBe([
            "vocab 100 must be from 408 (specials, 256 bytes, ASCII and '▁x' pieces) to 500,000",
            "hidden 100 must be a multiple of heads 3",
            "heads 3 must be a multiple of kv-heads 2",
            "q8_0 needs hidden (100) and ff (90) to be multiples of 32",
        ]);
    }

    [Fact]
    public void The_vocabulary_has_unique_pieces_and_the_bytes_at_fixed_ids()
    {
        var vocab = new ByteVocabulary(32_000);

        vocab.Tokens.Distinct().Count().ShouldBe(32_000);
        vocab.Tokens[ByteVocabulary.FirstByteId + 0x41].ShouldBe("<0x41>");
        vocab.Types[ByteVocabulary.FirstByteId + 0x41].ShouldBe(ByteVocabulary.Byte);
        vocab.Tokens[ByteVocabulary.ImEndId].ShouldBe("<|im_end|>");
        vocab.Tokens[^1].ShouldStartWith(ByteVocabulary.Space);
    }
}
