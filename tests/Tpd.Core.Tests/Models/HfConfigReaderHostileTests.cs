using Tpd.Core.Formats;
using Tpd.Core.Models;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Models;

/// <summary>
/// config.json files a careless user or an attacker might hand over (tests/fixtures/reliability and variants of
/// them): every one is a <see cref="ModelConfigException"/> naming the field, or a note for a documented
/// default; nothing else escapes the reader and nothing bad is taken silently.
/// </summary>
public class HfConfigReaderHostileTests
{
    private const string Llama = """
        "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 10
        """;

    private static ModelConfigException Fails(string json) =>
        Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(json, "x", "x.json"));

    private static ModelArchitecture Reads(string json) => HfConfigReader.Parse(json, "x", "x.json");

    private static string WithQuant(string quant) => $$"""{{{Llama}}, "quantization_config": {{quant}}}""";

    [Fact]
    public void Gptq_bits_given_as_text_is_an_error_naming_the_field()
    {
        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(Fixtures.Read("reliability/config-gptq-bits-string.json"), "x", "x.json"));

        e.Problems.ShouldBe(["'quantization_config.bits' must be an integer of at least 1, got \"4\""]);
    }

    [Theory]
    [InlineData("bits", "\"4\"", "'quantization_config.bits' must be an integer of at least 1, got \"4\"")]
    [InlineData("bits", "[4]", "'quantization_config.bits' must be an integer of at least 1, got [4]")]
    [InlineData("bits", "null", "'quantization_config.bits' is null; give a value or leave the field out")]
    [InlineData("w_bit", "\"4\"", "'quantization_config.w_bit' must be an integer of at least 1, got \"4\"")]
    [InlineData("group_size", "\"128\"", "'quantization_config.group_size' must be an integer of at least -1, got \"128\"")]
    [InlineData("group_size", "null", "'quantization_config.group_size' is null; give a value or leave the field out")]
    [InlineData("q_group_size", "[128]", "'quantization_config.q_group_size' must be an integer of at least -1, got [128]")]
    [InlineData("group_size", "-5", "'quantization_config.group_size' must be an integer of at least -1, got -5")]
    [InlineData("group_size", "1e9", "'quantization_config.group_size' must be an integer from -1 to 1048576, got 1e9")]
    public void Awq_and_gptq_fields_of_the_wrong_type_or_range_are_errors(string field, string value, string problem) =>
        Fails(WithQuant($$"""{"quant_method": "gptq", "{{field}}": {{value}}}""")).Problems.ShouldContain(problem);

    [Fact]
    public void A_group_size_of_zero_is_an_error_not_per_channel_int4()
    {
        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(Fixtures.Read("reliability/config-gptq-group-size-zero.json"), "x", "x.json"));

        e.Problems.ShouldBe(["'quantization_config.group_size' is 0; give the values per scale (e.g. 128), or -1 for one scale per output channel"]);
    }

    [Fact]
    public void A_group_size_of_minus_one_is_per_channel_as_gptq_writes_it() =>
        Reads(WithQuant("""{"quant_method": "gptq", "bits": 4, "group_size": -1}""")).Quantization!.Format.ShouldBe(WeightFormat.Int4(0));

    [Fact]
    public void Absent_bits_and_group_size_are_defaults_that_say_so()
    {
        var m = Reads(WithQuant("""{"quant_method": "awq"}"""));

        m.Quantization!.Format.ShouldBe(WeightFormat.Int4(128));
        m.Notes.ShouldContain("quantization_config 'awq' gives no bits: taken as 4 (the GPTQ and AWQ default)");
        m.Notes.ShouldContain("quantization_config 'awq' gives no group_size: taken as 128 (the GPTQ and AWQ default)");
    }

    [Theory]
    [InlineData("\"8\"", "'quantization_config.config_groups.group_0.weights.num_bits' must be an integer of at least 1, got \"8\"")]
    [InlineData("null", "'quantization_config.config_groups.group_0.weights.num_bits' is null; give a value or leave the field out")]
    [InlineData("[8]", "'quantization_config.config_groups.group_0.weights.num_bits' must be an integer of at least 1, got [8]")]
    public void Compressed_tensors_num_bits_of_the_wrong_type_is_an_error(string value, string problem) =>
        Fails(WithQuant("""{"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": {"num_bits": """ + value + """, "type": "int"}}}}""")).Problems.ShouldBe([problem]);

    [Theory]
    [InlineData("""{"quant_method": 5}""", "'quantization_config.quant_method' must be text, got 5")]
    [InlineData("""{"quant_method": "modelopt", "quant_algo": "W4A16_AWQ", "group_size": "x"}""", "'quantization_config.group_size' must be an integer of at least -1, got \"x\"")]
    [InlineData("""{"quant_method": "bitsandbytes", "load_in_4bit": "true"}""", "'quantization_config.load_in_4bit' must be true or false, got \"true\"")]
    [InlineData("""{"quant_method": "mxfp4", "modules_to_not_convert": ["lm_head", 7]}""", "'quantization_config.modules_to_not_convert' holds 7, not a module name")]
    [InlineData("""{"quant_method": "compressed-tensors", "config_groups": {"group_0": 3}}""", "'quantization_config.config_groups.group_0' must be an object, got 3")]
    public void Other_quantization_fields_are_checked_too(string quant, string problem) =>
        Fails(WithQuant(quant)).Problems.ShouldBe([problem]);

    [Fact]
    public void A_quantization_config_that_is_not_an_object_is_an_error_not_bf16() =>
        Fails(WithQuant("\"gptq\"")).Problems.ShouldBe(["'quantization_config' must be an object, got \"gptq\""]);

    [Fact]
    public void Mlp_only_layers_holding_text_is_an_error_naming_the_entry()
    {
        var e = Should.Throw<ModelConfigException>(() => HfConfigReader.Parse(Fixtures.Read("reliability/config-mlp-only-layers-strings.json"), "x", "x.json"));

        e.Problems.ShouldBe(["'mlp_only_layers' holds \"a\", not a layer index below 48"]);
    }

    [Theory]
    [InlineData("num_hidden_layers", "2147483647", "'num_hidden_layers' must be an integer from 1 to 4096, got 2147483647")]
    [InlineData("num_hidden_layers", "1e9", "'num_hidden_layers' must be an integer from 1 to 4096, got 1e9")]
    [InlineData("hidden_size", "-64", "'hidden_size' must be an integer of at least 1, got -64")]
    [InlineData("vocab_size", "1e300", "'vocab_size' must be an integer from 1 to 16777216, got 1e300")]
    [InlineData("vocab_size", "1e400", "'vocab_size' must be an integer from 1 to 16777216, got 1e400")]
    [InlineData("intermediate_size", "4294967296", "'intermediate_size' must be an integer from 1 to 1048576, got 4294967296")]
    [InlineData("num_attention_heads", "\"4\"", "'num_attention_heads' must be an integer of at least 1, got \"4\"")]
    [InlineData("max_position_embeddings", "\"long\"", "'max_position_embeddings' must be an integer of at least 1, got \"long\"")]
    [InlineData("tie_word_embeddings", "\"yes\"", "'tie_word_embeddings' must be true or false, got \"yes\"")]
    [InlineData("model_type", "7", "'model_type' must be text, got 7")]
    [InlineData("text_config", "[]", "'text_config' must be an object, got []")]
    [InlineData("layer_types", "\"full_attention\"", "'layer_types' must be a list, got \"full_attention\"")]
    [InlineData("sliding_window", "\"4k\"", "'sliding_window' must be an integer of at least 1, got \"4k\"")]
    public void Fields_of_the_wrong_type_or_an_absurd_size_are_errors(string field, string value, string problem)
    {
        var json = $$"""{{{Llama.Replace($"\"{field}\": ", $"\"{field}-old\": ", StringComparison.Ordinal)}}, "{{field}}": {{value}}}""";

        Fails(json).Problems.ShouldContain(problem);
    }

    [Fact]
    public void Moe_fields_are_range_checked()
    {
        var e = Fails($$"""{{{Llama}}, "num_local_experts": 100000000, "num_experts_per_tok": 2, "moe_intermediate_size": 64}""");

        e.Problems.ShouldBe(["'num_local_experts' must be an integer from 0 to 65536, got 100000000"]);
    }

    [Fact]
    public void Layer_types_holding_numbers_are_errors_not_unknown_types()
    {
        var e = Fails($$"""{{{Llama}}, "sliding_window": 8, "layer_types": ["full_attention", 3]}""");

        e.Problems.ShouldBe(["'layer_types' holds 3, not a layer type such as \"full_attention\""]);
    }

    [Fact]
    public void Deep_nesting_is_refused_by_the_json_depth_limit()
    {
        var e = Fails($$"""{{{Llama}}, "extra": {{new string('[', 100_000)}}{{new string(']', 100_000)}}}""");

        e.Message.ShouldStartWith("config.json 'x.json' is not valid JSON:");
        e.Message.ShouldContain("maximum configured depth of 64");
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_parsing()
    {
        var json = $$"""{{{Llama}}, "pad": "{{new string('x', ModelLimits.MaxConfigChars)}}"}""";

        Fails(json).Message.ShouldBe($"config.json 'x.json' holds {json.Length:N0} characters, more than the 1,048,576 tpd reads; give the model's config.json itself (a few KB), not another file");
    }

    [Fact]
    public void A_long_bad_value_is_quoted_cut_short()
    {
        var e = Fails($$"""{{{Llama.Replace("\"vocab_size\": 10", "\"vocab_size\": \"" + new string('9', 10_000) + "\"", StringComparison.Ordinal)}}}""");

        var bad = e.Problems.Single(p => p.StartsWith("'vocab_size' must be", StringComparison.Ordinal));
        bad.Length.ShouldBeLessThan(200);
        bad.ShouldEndWith("...");
    }

    [Fact]
    public void A_key_written_twice_is_an_error_not_the_last_one_winning() =>
        Fails($$"""{{{Llama}}, "hidden_size": 128}""").Message.ShouldContain("Duplicate property 'hidden_size'");

    [Fact]
    public void A_lone_surrogate_escape_is_refused_with_its_line() =>
        Fails($$"""{{{Llama}}, "model_type": "\ud800"}""").Message
            .ShouldBe("config.json 'x.json' is not valid text: line 1 holds the escape '\\ud800', half of a UTF-16 surrogate pair and no character; write the character itself or its full pair.");

    [Fact]
    public void A_full_surrogate_pair_and_an_escaped_backslash_are_text()
    {
        Reads($$"""{{{Llama.Replace("\"llama\"", "\"llama\\ud83d\\ude00\"", StringComparison.Ordinal)}}}""").ModelType.ShouldBe("llama\U0001F600");
        JsonEscapes.FindLoneSurrogate("""{"a": "\\ud800"}""").ShouldBeNull();
    }

    [Fact]
    public void A_nested_text_config_model_type_of_the_wrong_type_is_an_error_too() =>
        Fails("""{"model_type": "gemma3", "text_config": {""" + Llama.Replace("\"llama\"", "5", StringComparison.Ordinal) + "}}")
            .Problems.ShouldBe(["'model_type' must be text, got 5"]);
}
