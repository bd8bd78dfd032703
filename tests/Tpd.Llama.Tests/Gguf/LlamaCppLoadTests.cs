using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Tpd.Llama.Engine;
using Tpd.Llama.Gguf;
using Tpd.Llama.Model;
using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Gguf;

/// <summary>llama.cpp (LLamaSharp 0.30.0's build) reads the written files: shape, metadata, tokenizer.</summary>
[Collection(nameof(SharedEngine))]
public class LlamaCppLoadTests
{
    private static readonly LlamaShape Small = new() { Layers = 2, Hidden = 64, FeedForward = 128, Heads = 4, KvHeads = 2, VocabSize = 1000, ContextLength = 512 };

    private static LLamaWeights Load(string path)
    {
        NativeRuntime.Configure();
        return LLamaWeights.LoadFromFile(new ModelParams(path) { GpuLayerCount = 0 });
    }

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.F32)]
    public void A_random_model_loads_with_the_shape_it_was_written_with(GgmlType type)
    {
        var shape = Small with { WeightType = type };
        using var model = TempModel.Write(shape);
        using var weights = Load(model.Path);

        weights.ParameterCount.ShouldBe((ulong)shape.ParameterCount);
        weights.Vocab.Count.ShouldBe(1000);
        weights.EmbeddingSize.ShouldBe(64);
        weights.NativeHandle.LayerCount.ShouldBe(2);
        weights.NativeHandle.HeadCount.ShouldBe(4);
        weights.NativeHandle.KVHeadCount.ShouldBe(2);
        weights.ContextSize.ShouldBe(512);
        weights.Metadata["general.architecture"].ShouldBe("llama");
        weights.Metadata["general.file_type"].ShouldBe(type switch { GgmlType.F32 => "0", GgmlType.F16 => "1", _ => "7" });
        NativeRuntime.Variant.ShouldNotBeNull("LLamaSharp loaded no libllama.so");
    }

    [Fact]
    public void Q8_0_weights_take_about_half_the_bytes_of_f16()
    {
        using var f16 = TempModel.Write(Small);
        using var q8 = TempModel.Write(Small with { WeightType = GgmlType.Q8_0 });
        using var a = Load(f16.Path);
        using var b = Load(q8.Path);

        // 8.5 bits against 16 a weight, norms (F32) aside.
        ((double)b.SizeInBytes / a.SizeInBytes).ShouldBeInRange(0.5, 0.56);
    }

    [Fact]
    public void The_tokenizer_spells_text_with_pieces_and_falls_back_to_bytes()
    {
        using var model = TempModel.Write(Small);
        using var weights = Load(model.Path);

        var ids = weights.Tokenize("hello é", add_bos: true, special: true, Encoding.UTF8).Select(t => (int)t).ToArray();

        var vocab = new ByteVocabulary(1000);
        string Piece(int id) => vocab.Tokens[id];
        // BOS, "▁h" (SentencePiece's space prefix), e, l, l, o, "▁", then é as its two UTF-8 bytes.
        ids.Select(Piece).ShouldBe(["<s>", "▁h", "e", "l", "l", "o", "▁", "<0xC3>", "<0xA9>"]);
    }

    [Fact]
    public void Chat_markers_are_single_special_tokens_and_im_end_ends_generation()
    {
        using var model = TempModel.Write(Small);
        using var weights = Load(model.Path);

        weights.Tokenize("<|im_end|>", add_bos: false, special: true, Encoding.UTF8).Select(t => (int)t).ShouldBe([ByteVocabulary.ImEndId]);
        ((LLamaToken)ByteVocabulary.ImEndId).IsEndOfGeneration(weights.Vocab).ShouldBeTrue();
        ((LLamaToken)ByteVocabulary.EosId).IsEndOfGeneration(weights.Vocab).ShouldBeTrue();
        ((LLamaToken)ByteVocabulary.ImStartId).IsEndOfGeneration(weights.Vocab).ShouldBeFalse();
    }
}
