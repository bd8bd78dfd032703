using System.Text;

namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>
/// Structure-blind mutation, as AFL's havoc stage does it: flip, overwrite, insert, delete, duplicate and
/// truncate bytes, and drop in invalid UTF-8 or a token that matters to text formats.
/// </summary>
public sealed class ByteMutator : IMutator
{
    private static readonly string[] Tokens = ["{", "}", "[", "]", "\"", ":", ",", "\n", "\t", "<", ">", "</", "&", "#", "*", "&a ", "- ", "---", "\\", "NaN", "1e999", "-", "\0"];

    public static readonly ByteMutator Instance = new();

    public Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var seed = random.Pick(seeds);
        var (bytes, what) = Havoc(seed, random, 1 + random.Next(4));
        return new Mutant(bytes, what);
    }

    public static (byte[] Bytes, string What) Havoc(byte[] input, Random random, int rounds)
    {
        var data = new List<byte>(input);
        var done = new List<string>();
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    done.Add($"flip@{at}");
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)random.Next(256);
                    done.Add($"set@{at}");
                    break;
                case 2:
                    var token = Encoding.UTF8.GetBytes(random.Pick(Tokens));
                    data.InsertRange(at, token);
                    done.Add($"token@{at}");
                    break;
                case 3 when data.Count > 1:
                    var n = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.RemoveRange(at, n);
                    done.Add($"delete {n}@{at}");
                    break;
                case 4 when data.Count > 1:
                    var len = Math.Min(data.Count - at, 1 + random.Next(256));
                    var copy = data.GetRange(at, len);
                    data.InsertRange(random.Next(data.Count), Enumerable.Repeat(copy, 1 + random.Next(8)).SelectMany(c => c));
                    done.Add($"duplicate {len}@{at}");
                    break;
                case 5:
                    // Invalid UTF-8: a lone continuation byte, an overlong form, a truncated sequence, an unpaired surrogate.
                    byte[][] bad = [[0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xFF]];
                    data.InsertRange(at, random.Pick(bad));
                    done.Add($"bad-utf8@{at}");
                    break;
                case 6 when data.Count > 1:
                    data.RemoveRange(at, data.Count - at);
                    done.Add($"truncate@{at}");
                    break;
                default:
                    data.InsertRange(at, Enumerable.Repeat((byte)random.Next(256), 1 + random.Next(16)));
                    done.Add($"insert@{at}");
                    break;
            }
        }

        return ([.. data], "bytes: " + string.Join(", ", done));
    }
}
