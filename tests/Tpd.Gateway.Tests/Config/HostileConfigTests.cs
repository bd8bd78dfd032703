using System.Diagnostics;
using System.Text;
using Tpd.Gateway.Config;
using Tpd.TestKit;

namespace Tpd.Gateway.Tests.Config;

/// <summary>Configs built to hurt the reader (tests/fixtures/reliability and generated ones): each is refused with a clear error, fast.</summary>
public sealed class HostileConfigTests
{
    private const string Worker = "workers:\n  - name: a\n    url: http://127.0.0.1:1\n    price_per_hour: 1\n";

    private static ConfigResult Load(string text, TimeSpan? within = null)
    {
        var clock = Stopwatch.StartNew();
        var result = ConfigLoader.Parse(text, "gw.yaml");
        // Not a benchmark: a bound far above the milliseconds these take, that a hang or blow-up cannot meet.
        clock.Elapsed.ShouldBeLessThan(within ?? TimeSpan.FromSeconds(5));
        return result;
    }

    [Fact]
    public void The_alias_bomb_is_refused_by_the_node_limit_before_anything_expands()
    {
        // Level f stands for 9^6 scalars: counting, not copying, is what refuses it after 45 aliases.
        var r = Load(Fixtures.Read("reliability/gateway-yaml-alias-bomb.yaml"));

        r.Ok.ShouldBeFalse();
        r.Errors.ShouldBe(["gw.yaml: line 6: more than 100,000 values once aliases are expanded; a gateway config needs a few hundred; write out what the aliases repeat"]);
    }

    [Fact]
    public void More_than_fifty_aliases_are_refused_even_when_each_is_small()
    {
        var r = Load("x: &x 1\ny: [" + string.Join(", ", Enumerable.Repeat("*x", 51)) + "]\n");

        r.Errors.ShouldBe(["gw.yaml: line 2: more than 50 aliases (*name); write the repeated values out; the limit guards against alias bombs"]);
    }

    [Fact]
    public void An_alias_bomb_within_the_alias_limit_is_refused_by_the_node_limit()
    {
        // 5 levels of 10 aliases: 50 aliases that stand for 1,000,000 scalars.
        var text = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        foreach (var (name, from) in new[] { ("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e") })
            text.Append($"{name}: &{name} [{string.Join(", ", Enumerable.Repeat("*" + from, 10))}]\n");

        var r = Load(text.ToString());

        r.Errors.Single().ShouldContain("more than 100,000 values once aliases are expanded");
    }

    [Fact]
    public void Fifty_thousand_open_brackets_are_refused_by_the_depth_limit_not_a_stack_overflow()
    {
        var r = Load("workers: " + new string('[', 50_000));

        r.Errors.Single().ShouldBe("gw.yaml: line 1: maps and lists nested more than 50 deep; a gateway config nests 4 deep; check for unclosed '[' or '{'");
    }

    [Fact]
    public void Deep_block_nesting_and_deep_json_are_refused_too()
    {
        Load("workers:\n" + string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', 2 * i) + "- \n")) + new string(' ', 400) + "x\n")
            .Errors.Single().ShouldContain("nested more than 50 deep");
        Load("{\"workers\": " + new string('[', 10_000) + new string(']', 10_000) + "}")
            .Errors.Single().ShouldStartWith("gw.yaml: not valid JSON at line 1:");
    }

    [Fact]
    public void A_document_over_the_size_limit_is_refused_unread()
    {
        var r = Load(Worker + "# " + new string('x', ConfigLimits.MaxDocumentChars));

        r.Errors.Single().ShouldStartWith($"gw.yaml: {Worker.Length + 2 + ConfigLimits.MaxDocumentChars:N0} characters, more than the 1,048,576 a config may have");
    }

    [Fact]
    public void Merge_keys_work_with_the_keys_written_in_the_map_winning()
    {
        var r = Load(Fixtures.Read("reliability/gateway-yaml-merge-key.yaml"));

        r.Errors.ShouldBe(["w: unknown key 'w'; known keys here: drain, health, limits, listen, pool, routing, scaling, security, workers"]);
        // Top-level x-* keys are where anchors live, as in Docker Compose.
        var valid = Load(Fixtures.Read("reliability/gateway-yaml-merge-key.yaml").Replace("w: &w", "x-defaults: &w", StringComparison.Ordinal)).Config!;
        valid.Workers.Select(w => w.Name).ShouldBe(["a", "b"]);
        valid.Workers[1].Url.ShouldBe(new Uri("http://127.0.0.1:1"));

        var config = ConfigLoader.Parse("""
            workers:
              - &w
                name: a
                url: http://127.0.0.1:1
                price_per_hour: 1
                weight: 2
              - <<: *w
                name: b
              - <<: [{name: z, max_in_flight: 7}, *w]
                price_per_hour: 3
            """).Config!;
        config.Workers.Select(w => (w.Name, w.Url.Port, w.Price.DollarsPerHour, w.Weight, w.MaxInFlight))
            .ShouldBe([("a", 1, 1.0, 2.0, 256), ("b", 1, 1.0, 2.0, 256), ("z", 1, 3.0, 2.0, 7)]);
    }

    [Fact]
    public void Top_level_x_keys_hold_anchors_as_docs_gateway_md_shows()
    {
        var c = ConfigLoader.Parse("""
            x-h100: &h100
              price_per_hour: 2.49
              max_in_flight: 256
            workers:
              - <<: *h100
                name: gpu-0
                url: http://10.0.0.5:8000
            """).Config!;

        c.Workers.Single().Price.DollarsPerHour.ShouldBe(2.49, 1e-12);
    }

    [Fact]
    public void A_merge_key_that_names_a_scalar_is_an_error()
    {
        var r = Load("x: &s text\n" + Worker.Replace("  - name: a\n", "  - <<: *s\n    name: a\n", StringComparison.Ordinal));

        r.Errors.ShouldContain("gw.yaml: line 3: the merge key '<<' takes a map or a list of maps, got text; write e.g. <<: *defaults");
    }

    [Theory]
    [InlineData("workers: [*nothing]\n", "the alias *nothing names no anchor before it")]
    [InlineData("? [a]\n: 1\n", "a map or list used as a key")]
    [InlineData("a: 1\n---\nb: 2\n", "a second YAML document (after '---')")]
    public void Structures_the_tree_cannot_hold_are_errors_with_a_line(string text, string what) =>
        Load(text).Errors.Single().ShouldContain(what);

    [Fact]
    public void A_key_written_twice_is_an_error_in_yaml_and_in_json()
    {
        Load(Worker + "pool: a\npool: b\n").Errors.ShouldContain("gw.yaml: line 6: the key 'pool' appears twice in one map; keep one");
        Load("""{"pool": "a", "pool": "b", "workers": []}""").Errors.ShouldContain("pool: the key 'pool' appears twice in one object; keep one");
    }

    [Fact]
    public void Allow_cidrs_zero_names_the_entry()
    {
        var r = Load(Fixtures.Read("reliability/gateway-allow-cidrs-zero.json"));

        r.Errors.ShouldBe(["security.allow_cidrs[0] is '0'; use a network such as 10.0.0.0/8, 192.168.1.7 or fd00::/8"]);
    }

    [Theory]
    [InlineData("workers:\n  - name: a\n    url: http://127.0.0.1:1\n    price_per_hour: \"5\"\n")]
    [InlineData("""{"workers": [{"name": "a", "url": "http://127.0.0.1:1", "price_per_hour": "5"}]}""")]
    public void A_price_in_quotes_is_text_not_a_number(string text) =>
        Load(text).Errors.ShouldBe(["workers[0].price_per_hour is the text '5', not a number; write it without quotes; allowed 0.0001 to 100000; give dollars per hour for the whole worker, e.g. 8 x 2.49 = 19.92"]);

    [Fact]
    public void Whole_numbers_and_flags_in_quotes_are_text_too()
    {
        var r = Load(Worker + "    max_in_flight: '8'\ndrain:\n  enabled: \"false\"\n");

        r.Errors.ShouldBe(
        [
            "workers[0].max_in_flight is the text '8', not a whole number; write it without quotes; allowed 1 to 100000; use the engine's max_num_seqs or a little more",
            "drain.enabled is 'false' in quotes; allowed true or false, without quotes",
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("ab: 1\n", "ab: unknown key 'ab'")]
    [InlineData("'<<': 1\n", "<<: unknown key '<<'")]
    [InlineData("a: 1\n", "a: unknown key 'a'")]
    public void Short_unknown_keys_are_reported_not_a_crash(string extra, string error) =>
        Load(Worker + extra).Errors.Single().ShouldStartWith(error);

    [Fact]
    public void LoadFile_reads_no_more_than_the_limit_of_a_huge_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Worker + "# " + new string('x', 3 * ConfigLimits.MaxDocumentChars));
            ConfigLoader.LoadFile(path).Errors.Single().ShouldContain($"{ConfigLimits.MaxDocumentChars + 1:N0} characters, more than the 1,048,576 a config may have");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unclosed_flow_list_over_several_lines_is_a_yaml_error_not_a_crash()
    {
        // YamlDotNet's scanner throws InvalidOperationException here, with no position.
        var r = Load(Worker + "routing:\n  policy: [[[[[[[[\n  affinity_sources: [header, prefix]\ndrain:\n  windows: 3\n");

        r.Errors.Single().ShouldStartWith("gw.yaml: not valid YAML");
    }

    [Fact]
    public void A_str_tag_makes_a_number_text()
    {
        Load(Worker.Replace("price_per_hour: 1", "price_per_hour: !!str 5", StringComparison.Ordinal))
            .Errors.Single().ShouldStartWith("workers[0].price_per_hour is the text '5', not a number");
        Load(Worker.Replace("price_per_hour: 1", "price_per_hour: !!float 5", StringComparison.Ordinal)).Ok.ShouldBeTrue();
    }

    [Fact]
    public void A_lone_surrogate_escape_in_json_is_refused() =>
        Load("""{"workers": [{"name": "\ud800", "url": "http://127.0.0.1:1", "price_per_hour": 1}]}""")
            .Errors.Single().ShouldStartWith("gw.yaml: not valid JSON text: line 1 holds the escape '\\ud800'");
}
