using System.Text.Json;
using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Mutation;

namespace Tpd.Fuzz.Tests.Targets;

/// <summary>`tpd estimate --model FILE --gpu h100-sxm` over mutated config.json files.</summary>
public sealed class HfConfigTarget : CliTarget
{
    /// <summary>Integer fields the reader reads from every dense config, with their upper bounds (ModelLimits).</summary>
    private static readonly Dictionary<string, double> Integers = new(StringComparer.Ordinal)
    {
        ["num_hidden_layers"] = 4_096,
        ["hidden_size"] = 262_144,
        ["num_attention_heads"] = 16_384,
        ["num_key_value_heads"] = 16_384,
        ["vocab_size"] = 1 << 24,
        ["intermediate_size"] = 1 << 20,
        ["head_dim"] = 65_536,
        ["max_position_embeddings"] = int.MaxValue,
    };

    private static readonly HashSet<string> Flags = ["tie_word_embeddings", "attention_bias", "mlp_bias", "use_qk_norm"];

    public override string Name => "config-json";

    public override string Extension => ".json";

    protected override string FileName => "config.json";

    public override IMutator Mutator { get; } = new JsonMutator(Rules, path =>
        path.Length > 2 && (Integers.ContainsKey(path[2..]) || Flags.Contains(path[2..])) || path is "$.quantization_config.bits" or "$.quantization_config.group_size" or "$.quantization_config.w_bit" or "$.quantization_config.q_group_size");

    protected override IEnumerable<string> SeedFiles() =>
        [.. FixtureFiles("configs", "*.json"), .. FixtureFiles("fuzz/config-json", "*.json")];

    protected override string[] Arguments(string path) => ["estimate", "--model", path, "--gpu", "h100-sxm"];

    /// <summary>What must be refused: a value of the wrong type or range in a field every config's reading uses.</summary>
    private static MustRefuse? Rules(JsonChange c)
    {
        if (c.Kind != "replace" || c.Root is null || c.Root.ContainsKey("text_config"))
            return null;
        var top = c.Path.Count(ch => ch == '.') == 1 && !c.Path.Contains('[', StringComparison.Ordinal);
        if (top && Integers.TryGetValue(c.Key, out var max))
            return c.NewKind == JsonValueKind.Null ? null : BadInteger(c, 1, max) ? new MustRefuse($"{c.Key} = {Brief(c.NewRaw)}") : null;
        if (top && Flags.Contains(c.Key))
            return c.NewKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null ? null : new MustRefuse($"{c.Key} = {Brief(c.NewRaw)}");
        if (c.Path.StartsWith("$.quantization_config.", StringComparison.Ordinal) && !c.Path[22..].Contains('.', StringComparison.Ordinal)
            && c.Root["quantization_config"] is System.Text.Json.Nodes.JsonObject q && q["quant_method"]?.GetValueKind() == JsonValueKind.String
            && q["quant_method"]!.GetValue<string>() is "gptq" or "awq")
        {
            var bits = c.Key is "bits" || (c.Key is "w_bit" && !q.ContainsKey("bits"));
            var group = c.Key is "group_size" || (c.Key is "q_group_size" && !q.ContainsKey("group_size"));
            if (bits && (c.NewKind != JsonValueKind.Number || c.Number is not (4 or 8)))
                return new MustRefuse($"quantization_config.{c.Key} = {Brief(c.NewRaw)}");
            if (group && (c.NewKind != JsonValueKind.Number || c.Number is not { } g || g == 0 || g < -1 || g != Math.Floor(g) || g > 1 << 20))
                return new MustRefuse($"quantization_config.{c.Key} = {Brief(c.NewRaw)}");
        }

        return null;
    }

    private static bool BadInteger(JsonChange c, double min, double max) =>
        c.NewKind != JsonValueKind.Number || c.Number is not { } v || !double.IsFinite(v) || v < min || v > max || v != Math.Floor(v);

    internal static string Brief(string s) => s.Length <= 30 ? s : s[..27] + "...";
}
