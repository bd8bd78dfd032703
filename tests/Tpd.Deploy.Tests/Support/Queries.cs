using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Tpd.Deploy.Tests.Support;

/// <summary>A PromQL expression deploy/ ships, with where it comes from.</summary>
public sealed record Query(string Source, string Expr);

/// <summary>Every PromQL expression in deploy/: dashboard panels and variables, alert rules, KEDA and HPA queries.</summary>
public static partial class Queries
{
    /// <summary>
    /// Dashboard panel expressions with Grafana's variables filled in as Grafana would: $namespace and $pool by the
    /// values chosen, $__rate_interval by <paramref name="rateInterval"/> (Grafana's is 4 x the scrape interval).
    /// </summary>
    public static List<Query> Dashboard(string json, string ns, string pool, string rateInterval)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<Query>();
        foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
                continue;
            foreach (var t in targets.EnumerateArray())
            {
                var expr = t.GetProperty("expr").GetString()!
                    .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
                    .Replace("$namespace", RegexValue(ns), StringComparison.Ordinal)
                    .Replace("$pool", RegexValue(pool), StringComparison.Ordinal);
                expr.ShouldNotContain("$", customMessage: $"an unfilled variable in panel '{panel.GetProperty("title")}'");
                list.Add(new Query($"dashboard panel '{panel.GetProperty("title").GetString()}' {t.GetProperty("refId").GetString()}", expr));
            }
        }
        return list;
    }

    /// <summary>
    /// The dashboard's query variables, label_values(SELECTOR, LABEL), as the PromQL that gives the same values:
    /// count by (LABEL) (SELECTOR).
    /// </summary>
    public static List<(Query Query, string Label)> DashboardVariables(string json, string ns)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<(Query, string)>();
        foreach (var v in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (v.GetProperty("type").GetString() != "query")
                continue;
            var definition = v.GetProperty("definition").GetString()!;
            var m = LabelValues().Match(definition);
            m.Success.ShouldBeTrue($"variable {v.GetProperty("name")}: '{definition}' is not label_values(SELECTOR, LABEL)");
            var selector = m.Groups[1].Value.Replace("$namespace", RegexValue(ns), StringComparison.Ordinal);
            var label = m.Groups[2].Value;
            list.Add((new Query($"dashboard variable ${v.GetProperty("name").GetString()}", $"count by ({label}) ({selector})"), label));
        }
        return list;
    }

    public static List<Query> Rules(PrometheusRule rule) =>
        [.. rule.Spec.Groups.SelectMany(g => g.Rules).Select(r => new Query($"alert {r.Alert ?? r.Record}", r.Expr))];

    /// <summary>
    /// prometheus-adapter's external-metric query for an HPA: its metricsQuery with &lt;&lt;.LabelMatchers&gt;&gt;
    /// replaced by the HPA's selector and the namespace, as the adapter does for a namespaced external metric.
    /// </summary>
    public static Query HpaAdapter(string valuesYaml, string metricName, IReadOnlyDictionary<string, string> selector, string ns)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(valuesYaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var externals = (YamlSequenceNode)((YamlMappingNode)root["rules"])["external"];
        var rule = externals.Cast<YamlMappingNode>().Single(r => ((YamlScalarNode)((YamlMappingNode)r["name"])["as"]).Value == metricName);
        var matchers = string.Join(',', selector.Select(kv => $"{kv.Key}=\"{kv.Value}\"").Append($"namespace=\"{ns}\""));
        var expr = ((YamlScalarNode)rule["metricsQuery"]).Value!.Replace("<<.LabelMatchers>>", matchers, StringComparison.Ordinal);
        return new Query($"HPA external metric {metricName} (prometheus-adapter)", expr);
    }

    /// <summary>A value in a =~ matcher, as Grafana puts it: regex-escaped, then escaped for a PromQL string.</summary>
    private static string RegexValue(string value) => Regex.Escape(value).Replace("\\", "\\\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^label_values\((.+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();
}
