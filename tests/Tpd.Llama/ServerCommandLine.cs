using System.Globalization;
using Tpd.Llama.Gguf;
using Tpd.Llama.Model;

namespace Tpd.Llama;

/// <summary>The exe's options: the model's shape (or an existing GGUF), the engine and the server. Every error is reported at once.</summary>
public sealed record ServerCommandLine
{
    public LlamaShape Shape { get; init; } = new();
    public string? GgufPath { get; init; }
    public int Port { get; init; } = 8000;
    public string ModelName { get; init; } = "tpd-llama";
    public int MaxSequences { get; init; } = 8;
    public int? KvTokens { get; init; }
    public int BatchTokens { get; init; } = 512;
    public int? Threads { get; init; }
    public double? LifetimeSeconds { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        Usage: dotnet run --project tests/Tpd.Llama -- [options]
        An OpenAI-compatible server (vLLM's API) over llama.cpp (LLamaSharp) on the CPU, with a random-weight Llama model
        written to a temp folder at start. Binds 127.0.0.1 only.

          --port N            port on 127.0.0.1, 0 for any free one [8000]
          --layers N          transformer blocks [2]
          --hidden N          embedding width [128]
          --ff N              feed-forward width [384]
          --heads N           attention heads [4]
          --kv-heads N        key/value heads [2]
          --vocab N           vocabulary size, at least 408 [32000; tpd bench draws token ids from 1000 to 20999]
          --context N         the model's context length, served as max_model_len [2048]
          --dtype T           f16, q8_0 or f32 matrices [f16]
          --seed N            weight seed [1]
          --gguf PATH         serve this GGUF instead of writing a random one
          --model-name NAME   served model name [tpd-llama]
          --max-seqs N        sequences decoded together; more wait in a queue [8]
          --kv-tokens N       KV cache size in tokens [max-seqs x context]
          --batch N           tokens per decode call; longer prompts prefill in chunks [512]
          --threads N         CPU threads [all cores]
          --lifetime S        stop after S seconds [run until Ctrl-C]

        About 76M parameters: --layers 10 --hidden 512 --ff 1536 --heads 8 --kv-heads 8 (with the 32,000 vocabulary).
        """;

    public static ServerCommandLine Parse(IReadOnlyList<string> args, out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<string>();
        var o = new ServerCommandLine();
        var shape = o.Shape;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                o = o with { Help = true };
                continue;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                problems.Add($"{name} needs a value; see --help");
                continue;
            }

            var value = args[++i];
            int Int(int min, int max)
            {
                if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
                    return n;
                problems.Add($"{name} '{value}' is not a whole number from {min:N0} to {max:N0}");
                return min;
            }

            switch (name)
            {
                case "--port": o = o with { Port = Int(0, 65_535) }; break;
                case "--layers": shape = shape with { Layers = Int(1, 512) }; break;
                case "--hidden": shape = shape with { Hidden = Int(1, 65_536) }; break;
                case "--ff": shape = shape with { FeedForward = Int(1, 262_144) }; break;
                case "--heads": shape = shape with { Heads = Int(1, 1024) }; break;
                case "--kv-heads": shape = shape with { KvHeads = Int(1, 1024) }; break;
                case "--vocab": shape = shape with { VocabSize = Int(ByteVocabulary.BaseSize, 500_000) }; break;
                case "--context": shape = shape with { ContextLength = Int(16, 1_048_576) }; break;
                case "--seed": shape = shape with { Seed = Int(0, int.MaxValue) }; break;
                case "--dtype":
                    GgmlType? type = value.ToUpperInvariant() switch { "F16" => GgmlType.F16, "Q8_0" => GgmlType.Q8_0, "F32" => GgmlType.F32, _ => null };
                    if (type is null)
                        problems.Add($"--dtype '{value}' is not a type this writer produces; use f16, q8_0 or f32");
                    else
                        shape = shape with { WeightType = type.Value };
                    break;
                case "--gguf": o = o with { GgufPath = value }; break;
                case "--model-name": o = o with { ModelName = value }; break;
                case "--max-seqs": o = o with { MaxSequences = Int(1, 256) }; break;
                case "--kv-tokens": o = o with { KvTokens = Int(16, 16_777_216) }; break;
                case "--batch": o = o with { BatchTokens = Int(1, 65_536) }; break;
                case "--threads": o = o with { Threads = Int(1, 1024) }; break;
                case "--lifetime":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 7 * 86_400)
                        o = o with { LifetimeSeconds = s };
                    else
                        problems.Add($"--lifetime '{value}' is not a number of seconds from 0 to 604,800");
                    break;
                default:
                    problems.Add($"unknown option '{name}'; see --help");
                    break;
            }
        }

        if (o.GgufPath is null)
            problems.AddRange(shape.Validate());
        else if (!File.Exists(o.GgufPath))
            problems.Add($"--gguf '{o.GgufPath}' does not exist");
        errors = problems;
        return o with { Shape = shape };
    }
}
