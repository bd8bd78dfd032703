using System.Text;
using LLama;
using LLama.Native;

namespace Tpd.Llama.Engine;

/// <summary>
/// What the engine needs to know about each token of the loaded vocabulary, read once from llama.cpp: its bytes
/// (the piece llama.cpp detokenizes it to), whether it ends generation, and whether sampling may pick it.
/// </summary>
internal sealed class TokenTable
{
    private readonly byte[][] _pieces;
    private readonly bool[] _endsGeneration;
    private readonly bool[] _samplable;

    public int Count => _pieces.Length;
    public bool AddBos { get; }

    public TokenTable(LLamaWeights weights)
    {
        var vocab = weights.Vocab;
        var model = weights.NativeHandle;
        var n = vocab.Count;
        _pieces = new byte[n][];
        _endsGeneration = new bool[n];
        _samplable = new bool[n];
        Span<byte> buffer = stackalloc byte[256];
        for (var i = 0; i < n; i++)
        {
            LLamaToken token = i;
            var length = (int)model.TokenToSpan(token, buffer);
            _pieces[i] = length <= buffer.Length ? buffer[..length].ToArray() : Piece(model, token, length);
            _endsGeneration[i] = token.IsEndOfGeneration(vocab);
            var attributes = token.GetAttributes(vocab);
            // A random model would otherwise pick BOS, UNK, chat markers and lone bytes that are not text (control
            // characters, halves of UTF-8 sequences) about as often as words. A trained model rarely does, and a
            // stream of empty or broken chunks is not what a benchmark of a real model sees; end-of-generation tokens
            // stay samplable, gated per request by ignore_eos and min_tokens.
            _samplable[i] = _endsGeneration[i] || (!attributes.HasFlag(LLamaTokenAttr.Control) && !attributes.HasFlag(LLamaTokenAttr.Unknown)
                && !attributes.HasFlag(LLamaTokenAttr.Unused) && _pieces[i].Length > 0 && IsText(_pieces[i]));
        }

        AddBos = vocab.ShouldAddBOS;
    }

    public ReadOnlySpan<byte> Piece(int token) => _pieces[token];
    public bool EndsGeneration(int token) => _endsGeneration[token];
    public bool IsSamplable(int token) => _samplable[token];

    private static byte[] Piece(SafeLlamaModelHandle model, LLamaToken token, int length)
    {
        var bytes = new byte[length];
        model.TokenToSpan(token, bytes);
        return bytes;
    }

    /// <summary>Complete UTF-8 with no control characters other than tab and newline.</summary>
    private static bool IsText(byte[] piece)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(piece);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        return text.All(c => !char.IsControl(c) || c is '\n' or '\t');
    }
}
