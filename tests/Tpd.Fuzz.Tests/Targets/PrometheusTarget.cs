using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tpd.Core.Units;
using Tpd.Fuzz.Tests.Harness;
using Tpd.Fuzz.Tests.Mutation;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Fuzz.Tests.Targets;

/// <summary>
/// The doctor's metrics window, in-process: a fixture page as the first scrape and the mutated page as the second
/// (or the other way round), through the parser, the engine normalizer, the window and the rules, written as
/// the doctor's JSON. A PrometheusFormatException is the refusal (exit 2).
/// </summary>
public sealed partial class PrometheusTarget : IFuzzTarget
{
    /// <summary>Metrics the normalizer reads first for each engine, summed (or maxed) over label sets: NaN or infinity there must be flagged.</summary>
    private static readonly HashSet<string> Read =
    [
        "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:num_preemptions_total",
        "vllm:prompt_tokens_total", "vllm:generation_tokens_total",
        "sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage", "sglang:prompt_tokens_total", "sglang:generation_tokens_total",
        "tgi_batch_current_size", "tgi_queue_size", "tgi_request_input_length_sum", "tgi_request_generated_tokens_sum",
    ];

    private static readonly string[] Values = ["NaN", "+Inf", "-Inf", "-1", "0", "1e308", "1e400", "-0", "5e-324", "abc", "0x1p3", "1,5", "", "Inf", "nan"];

    private IReadOnlyList<byte[]>? _seeds;

    public string Name => "prometheus-text";

    public string Extension => ".txt";

    public IReadOnlyList<byte[]> Seeds => _seeds ??= [.. Fixtures.Files("metrics", "*.txt").Select(File.ReadAllBytes), File.ReadAllBytes(Fixtures.PathOf("reliability/metrics-scrape-1.txt"))];

    public IMutator Mutator { get; } = new LineMutator(Edit, Rules, Insert, line => Sample().Match(line) is { Success: true } m && Read.Contains(m.Groups["name"].Value));

    public Outcome Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        // The first seed whose engine the input still names stands for the earlier scrape; else the first seed.
        var baseline = PrometheusTextParser.Parse(Encoding.UTF8.GetString(Seeds[Math.Abs(text.Length) % Seeds.Count]));
        MetricsScrape mutated;
        try
        {
            mutated = PrometheusTextParser.Parse(text);
        }
        catch (PrometheusFormatException e)
        {
            return new Outcome(2, e.Message);
        }

        var (first, second) = text.Length % 2 == 0 ? (baseline, mutated) : (mutated, baseline);
        var a = EngineMetricsNormalizer.Normalize(first);
        var b = EngineMetricsNormalizer.Normalize(second);
        var window = Duration.FromSeconds(10);
        var engine = a.Engine == b.Engine ? EngineWindow.Between(a, b, window) : EngineWindow.Changed(a, b, window);
        var report = DoctorRules.Evaluate(new DoctorInput { Engine = engine });
        var economics = LiveEconomics.From(engine, MoneyRate.FromDollarsPerHour(2.49));
        var output = DoctorJson.Serialize(report) + "\n" + (economics is { } e2 ? $"{e2.TokensPerDollar.ToString(CultureInfo.InvariantCulture)} tokens/$, {e2.DollarsPerMillionTokens.ToString(CultureInfo.InvariantCulture)} $/1M" : "");
        return new Outcome(report.ExitCode, output);
    }

    private static (string, string)? Edit(string line, Random random)
    {
        var m = Sample().Match(line);
        if (!m.Success)
            return null;
        return random.Next(3) switch
        {
            0 => ($"{m.Groups["name"].Value}{{{string.Join(",", Enumerable.Range(0, random.Next(2) == 0 ? 3 : 100).Select(i => $"l{i}=\"{new string('v', random.Next(1, 300))}\""))}}} {m.Groups["value"].Value}", "labels"),
            1 => ($"{m.Groups["name"].Value}{m.Groups["labels"].Value} {m.Groups["value"].Value} {random.Pick(Values)}", "timestamp"),
            _ => ($"{m.Groups["name"].Value}{m.Groups["labels"].Value} {random.Pick(Values)}", "value"),
        };
    }

    /// <summary>A read metric whose value became NaN or infinite must be named in engine.metrics-invalid.</summary>
    private static MustMention? Rules(LineChange c)
    {
        var m = Sample().Match(c.After);
        if (c.Kind != "value" || !m.Success || !Read.Contains(m.Groups["name"].Value))
            return null;
        var value = m.Groups["value"].Value;
        return value is "NaN" or "nan" or "+Inf" or "Inf" or "1e400" || (value == "-Inf" && !m.Groups["name"].Value.Contains("usage", StringComparison.Ordinal))
            ? new MustMention("engine.metrics-invalid", $"{m.Groups["name"].Value} {value}")
            : null;
    }

    private static string Insert(Random random) => random.Next(5) switch
    {
        0 => "# TYPE vllm:generation_tokens_total histogram",
        1 => "# HELP " + new string('x', 10_000),
        2 => "vllm:generation_tokens_total{engine=\"9\"} " + random.Pick(Values),
        3 => "sglang:num_queue_reqs 5",
        _ => "# EOF",
    };

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})?\s+(?<value>\S+)(\s+\S+)?$")]
    private static partial Regex Sample();
}
