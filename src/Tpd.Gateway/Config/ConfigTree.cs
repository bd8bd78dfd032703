using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tpd.Gateway.Config;

/// <summary>
/// YAML and JSON both read into one neutral tree (maps, lists, scalars kept as text), so a single validator
/// serves both formats and can quote the value exactly as written.
/// </summary>
internal static class ConfigTree
{
    /// <summary>A scalar as written, with where it was (line) for messages.</summary>
    public sealed record Scalar(string Text, bool Quoted);

    public static object? Parse(string text, string source, List<string> errors)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                return FromJson(doc.RootElement);
            }
            catch (JsonException e)
            {
                errors.Add($"{source}: not valid JSON at line {e.LineNumber + 1}: {e.Message}; fix the syntax (or write YAML)");
                return null;
            }
        }

        try
        {
            var yaml = new YamlStream();
            using var reader = new StringReader(text);
            yaml.Load(reader);
            return yaml.Documents.Count == 0 ? null : FromYaml(yaml.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            errors.Add($"{source}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}; fix the indentation or quoting");
            return null;
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => new Scalar(e.GetString()!, true),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => new Scalar(e.GetRawText(), false),
    };

    private static object? FromYaml(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value ?? "",
            kv => FromYaml(kv.Value),
            StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(FromYaml).ToList(),
        YamlScalarNode s when s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" => null,
        YamlScalarNode s => new Scalar(s.Value ?? "", s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted),
        _ => null,
    };

    public static string Show(object? value) => value switch
    {
        null => "null",
        Scalar s => s.Text,
        Dictionary<string, object?> => "a map",
        List<object?> => "a list",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
