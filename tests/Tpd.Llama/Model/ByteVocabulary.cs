using System.Text;

namespace Tpd.Llama.Model;

/// <summary>
/// A SentencePiece-style ("llama" tokenizer model) vocabulary that can spell any text: the special tokens, one byte
/// token "&lt;0xNN&gt;" for each of the 256 bytes (llama.cpp's byte fallback), every printable ASCII character, "▁"
/// (the SentencePiece space) and "▁" followed by each letter. Those make up <see cref="BaseSize"/> tokens; a larger
/// vocabulary is filled with synthetic words ("▁kalo", "▁tumiva") that text never tokenizes to but that decode to
/// readable text, so a random model's output is gibberish words rather than raw bytes.
/// </summary>
public sealed class ByteVocabulary
{
    // llama.cpp's llama_token_type (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6).
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int Byte = 6;

    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;

    /// <summary>ChatML turn markers: llama.cpp recognises "&lt;|im_end|&gt;" as end of turn by its text.</summary>
    public const int ImStartId = 3;

    public const int ImEndId = 4;
    public const int FirstByteId = 5;

    /// <summary>SentencePiece's word-boundary mark, U+2581, which llama.cpp turns back into a space on decode.</summary>
    public const string Space = "\u2581";

    /// <summary>ChatML as a Jinja template; llama.cpp's llama_chat_apply_template recognises it by "&lt;|im_start|&gt;".</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private const string Consonants = "bdfghjklmnprstvz";
    private const string Vowels = "aeiou";

    /// <summary>5 specials, 256 bytes, "▁", 94 printable ASCII characters, "▁a".."▁z" and "▁A".."▁Z".</summary>
    public static readonly int BaseSize = 5 + 256 + 1 + 94 + 52;

    public IReadOnlyList<string> Tokens { get; }
    public IReadOnlyList<float> Scores { get; }
    public IReadOnlyList<int> Types { get; }

    public int Count => Tokens.Count;

    public ByteVocabulary(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, BaseSize);
        var tokens = new List<string>(size) { "<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>" };
        var types = new List<int>(size) { Unknown, Control, Control, Control, Control };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(Byte);
        }

        tokens.Add(Space);
        for (var c = '!'; c <= '~'; c++)
            tokens.Add(c.ToString());
        for (var c = 'a'; c <= 'z'; c++)
            tokens.Add(Space + c);
        for (var c = 'A'; c <= 'Z'; c++)
            tokens.Add(Space + c);
        for (var i = 0; tokens.Count < size; i++)
            tokens.Add(Space + Word(i));
        while (types.Count < size)
            types.Add(Normal);

        // SentencePiece merges the highest-scoring pair first; earlier pieces score higher, like a trained model's.
        Tokens = tokens;
        Types = types;
        Scores = [.. Enumerable.Range(0, size).Select(i => types[i] == Normal ? -(float)i : 0f)];
    }

    /// <summary>The n-th synthetic word: two syllables (6,400 of them) and then three, so words never repeat.</summary>
    public static string Word(int n)
    {
        var syllables = Consonants.Length * Vowels.Length;
        var count = n < syllables * syllables ? 2 : 3;
        if (count == 3)
            n -= syllables * syllables;
        var sb = new StringBuilder(count * 2);
        for (var i = 0; i < count; i++)
        {
            var s = n % syllables;
            n /= syllables;
            sb.Append(Consonants[s / Vowels.Length]).Append(Vowels[s % Vowels.Length]);
        }

        return sb.ToString();
    }
}
