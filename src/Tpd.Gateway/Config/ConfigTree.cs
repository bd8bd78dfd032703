using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;

namespace Tpd.Gateway.Config;

/// <summary>
/// YAML and JSON both read into one neutral tree (maps, lists, scalars kept as text), so a single validator
/// serves both formats and can quote the value exactly as written. <see cref="ConfigLimits"/> bound the
/// size, nesting, aliases and node count while the text is read.
/// </summary>
internal static class ConfigTree
{
    /// <summary>
    /// A scalar as written. <paramref name="Quoted"/> marks text by the file's own typing: a JSON string, or a
    /// quoted or block YAML scalar. A number field refuses it, so "5" in quotes is an error, not 5.
    /// </summary>
    public sealed record Scalar(string Text, bool Quoted);

    public static object? Parse(string text, string source, List<string> errors)
    {
        if (text.Length > ConfigLimits.MaxDocumentChars)
        {
            errors.Add($"{source}: {text.Length:N0} characters, more than the {ConfigLimits.MaxDocumentChars:N0} a config may have; a gateway config is a few KB (see docs/gateway.md)");
            return null;
        }

        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            if (Tpd.Core.Models.JsonEscapes.FindLoneSurrogate(text) is { } surrogate)
            {
                errors.Add($"{source}: not valid JSON text: {surrogate}");
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = ConfigLimits.MaxDepth });
                var nodes = 0;
                var before = errors.Count;
                var tree = FromJson(doc.RootElement, "", ref nodes, errors, source);
                return errors.Count == before ? tree : null;
            }
            catch (JsonException e)
            {
                errors.Add($"{source}: not valid JSON at line {e.LineNumber + 1}: {e.Message}; fix the syntax (or write YAML)");
                return null;
            }
        }

        try
        {
            return YamlTreeBuilder.Build(text, source, errors);
        }
        catch (YamlException e)
        {
            errors.Add($"{source}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}; fix the indentation or quoting");
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, without a position, on some unclosed flow collections ("policy: [[[[").
            errors.Add($"{source}: not valid YAML: {e.Message}; check for an unclosed '[' or '{{' or a stray quote");
            return null;
        }
    }

    private static object? FromJson(JsonElement e, string path, ref int nodes, List<string> errors, string source)
    {
        if (++nodes == ConfigLimits.MaxNodes + 1)
            errors.Add($"{source}: more than {ConfigLimits.MaxNodes:N0} values; a gateway config needs a few hundred");
        if (nodes > ConfigLimits.MaxNodes)
            return null;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    var value = FromJson(p.Value, Join(path, p.Name), ref nodes, errors, source);
                    if (!map.TryAdd(p.Name, value))
                        errors.Add($"{Join(path, p.Name)}: the key '{p.Name}' appears twice in one object; keep one");
                }

                return map;
            case JsonValueKind.Array:
                var list = new List<object?>();
                foreach (var item in e.EnumerateArray())
                    list.Add(FromJson(item, $"{path}[{list.Count}]", ref nodes, errors, source));
                return list;
            case JsonValueKind.String:
                return new Scalar(e.GetString()!, true);
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            default:
                return new Scalar(e.GetRawText(), false);
        }
    }

    internal static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Show(object? value) => value switch
    {
        null => "null",
        Scalar s => s.Text,
        Dictionary<string, object?> => "a map",
        List<object?> => "a list",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary><see cref="Show"/> cut short, for messages: a hostile file must not turn one error into megabytes.</summary>
    public static string Brief(object? value) => Brief(Show(value));

    public static string Brief(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
