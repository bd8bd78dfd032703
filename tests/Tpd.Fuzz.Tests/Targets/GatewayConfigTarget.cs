using System.Text.Json;
using System.Text.RegularExpressions;
using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Mutation;

namespace Tpd.Fuzz.Tests.Targets;

/// <summary>`tpd gateway --check --config FILE` over mutated YAML and JSON gateway configs.</summary>
public sealed partial class GatewayConfigTarget : CliTarget
{
    /// <summary>Every numeric key of the config; each has a floor of 0 or more and a ceiling under 1e13.</summary>
    private static readonly HashSet<string> Numbers =
    [
        "price_per_hour", "weight", "max_in_flight", "affinity_prefix_chars", "default_max_tokens", "min_tokens_per_second_per_dollar",
        "relative_to_median", "window_seconds", "windows", "min_in_flight", "hysteresis", "readmit_probes", "probe_interval_seconds",
        "probe_tokens", "interval_seconds", "timeout_seconds", "failures_to_eject", "successes_to_readmit", "max_body_bytes", "queue_size",
        "queue_timeout_seconds", "max_retries", "retry_after_seconds", "connect_timeout_seconds", "first_byte_timeout_seconds",
        "stream_idle_timeout_seconds", "target_in_flight_per_worker",
    ];

    private static readonly string[] YamlValues =
    [
        "\"5\"", "'5'", "-1", "1e300", "1e400", ".nan", ".inf", "NaN", "yes", "~", "", "[]", "{}", "[1, 2]", "*w", "&a 5", "!!str 5", "!!binary AAAA",
        "0x10", "1_000", "5", "0.5", "true", "\"\"", "|\n  5", "'", "\"\\ud800\"", "[[[[[[[[", "{a: {b: {c: 1}}}", "*undefined", "2147483648",
    ];

    public override string Name => "gateway-config";

    public override string Extension => ".yaml";

    public override IMutator Mutator { get; } = new EitherMutator(
        new JsonMutator(JsonRules, path => Numbers.Contains(path[(path.LastIndexOf('.') + 1)..])),
        new LineMutator(YamlEdit, YamlRules, YamlInsert));

    protected override IEnumerable<string> SeedFiles() => FixtureFiles("fuzz/gateway-config", "*.*");

    protected override string[] Arguments(string path) => ["gateway", "--check", "--config", path];

    private static MustRefuse? JsonRules(JsonChange c)
    {
        if (c.Kind == "add" && !c.Path.Contains(".labels.", StringComparison.Ordinal))
            return new MustRefuse($"unknown key {c.Path}");
        if (c.Kind != "replace" || c.NewKind == JsonValueKind.Null || c.Path.Contains(".labels.", StringComparison.Ordinal))
            return null;
        var why = $"{c.Path} = {HfConfigTarget.Brief(c.NewRaw)}";
        if (Numbers.Contains(c.Key))
            return c.Number is { } v && double.IsFinite(v) && v >= 0 && v < 1e12 ? null : new MustRefuse(why);
        if (c.Key is "enabled" or "metrics_need_admin_key")
            return c.NewKind is JsonValueKind.True or JsonValueKind.False ? null : new MustRefuse(why);
        return null;
    }

    /// <summary>Replaces a "key: value" line's scalar with one YAML reads as something else.</summary>
    private static (string, string)? YamlEdit(string line, Random random)
    {
        var m = KeyValue().Match(line);
        if (!m.Success)
            return null;
        return (m.Groups["head"].Value + random.Pick(YamlValues), "value");
    }

    private static MustRefuse? YamlRules(LineChange c)
    {
        var m = KeyValue().Match(c.After);
        if (!m.Success || !Numbers.Contains(m.Groups["key"].Value))
            return null;
        var value = m.Groups["value"].Value;
        // A number YAML types as one, in range, is fine; so is an empty or null value (the default applies).
        if (value is "" or "~" || value.StartsWith('*') || value.StartsWith('&') || value.StartsWith('|'))
            return null;
        return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0 && v < 1e12
            ? null
            : new MustRefuse($"{m.Groups["key"].Value}: {value}");
    }

    private static string YamlInsert(Random random) => random.Next(6) switch
    {
        0 => "<<: *w",
        1 => "x-" + random.Next(9) + ": &w {price_per_hour: 1, weight: 2}",
        2 => "a: &a [" + string.Join(",", Enumerable.Repeat("1", 9)) + "]\nb: &b [" + string.Join(",", Enumerable.Repeat("*a", 9)) + "]\nc: [" + string.Join(",", Enumerable.Repeat("*b", 9)) + "]",
        3 => "workers: " + new string('[', random.Next(2) == 0 ? 60 : 50_000),
        4 => "---",
        _ => "\t" + random.Pick(YamlValues),
    };

    [GeneratedRegex(@"^(?<head>\s*(- )?(?<key>[A-Za-z_][\w-]*):\s+)(?<value>[^#\n]*?)\s*(#.*)?$")]
    private static partial Regex KeyValue();
}

/// <summary>Picks the JSON mutator for a JSON seed and the line mutator for a YAML one.</summary>
public sealed class EitherMutator(IMutator json, IMutator yaml) : IMutator
{
    public Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var seed = random.Pick(seeds);
        var isJson = seed.Length > 0 && System.Text.Encoding.UTF8.GetString(seed).TrimStart().StartsWith('{');
        return (isJson ? json : yaml).Mutate([seed], random);
    }
}
