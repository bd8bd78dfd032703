using System.Text.Json;

namespace Tpd.Core.Models;

/// <summary>
/// Reads fields of one config.json object by name and alternative names, and collects every missing or
/// bad field instead of stopping at the first, so one error message can name them all.
/// </summary>
internal sealed class ConfigFields
{
    private readonly JsonElement _primary;
    private readonly JsonElement? _fallback;

    /// <param name="primary">The object holding the decoder fields (the root, or Gemma 3's text_config).</param>
    /// <param name="fallback">Where to look when the primary lacks a field (the root when primary is text_config).</param>
    public ConfigFields(JsonElement primary, JsonElement? fallback = null)
    {
        _primary = primary;
        _fallback = fallback;
    }

    public List<string> Missing { get; } = [];
    public List<string> Invalid { get; } = [];

    public bool Has(string name) => TryGet([name], out _, out _);

    /// <summary>The first of the names present with a non-null value.</summary>
    public bool TryGet(ReadOnlySpan<string> names, out JsonElement value, out string foundName)
    {
        foreach (var name in names)
        {
            if (TryGetOne(_primary, name, out value) || (_fallback is { } f && TryGetOne(f, name, out value)))
            {
                foundName = name;
                return true;
            }
        }

        value = default;
        foundName = "";
        return false;
    }

    private static bool TryGetOne(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>An integer field that must be present; records it as missing (with the alternatives) otherwise.</summary>
    public int Require(string name, params string[] alternatives) =>
        Optional(name, alternatives) ?? RecordMissing(name, alternatives);

    /// <summary>An integer field that may be absent; a present value must be an integer of at least <paramref name="min"/>.</summary>
    public int? Optional(string name, string[] alternatives, int min = 1)
    {
        string[] names = [name, .. alternatives];
        if (!TryGet(names, out var value, out var found))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) && i >= min)
            return i;
        // Some exporters write integral values as 4096.0.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d) && d >= min && d <= int.MaxValue)
            return (int)d;
        Invalid.Add($"'{found}' must be an integer of at least {min}, got {value.GetRawText()}");
        return null;
    }

    public int? Optional(string name, int min = 1) => Optional(name, [], min);

    public bool? Bool(string name)
    {
        if (!TryGet([name], out var value, out _))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => InvalidBool(name, value),
        };
    }

    private bool? InvalidBool(string name, JsonElement value)
    {
        Invalid.Add($"'{name}' must be true or false, got {value.GetRawText()}");
        return null;
    }

    public string? String(string name) =>
        TryGet([name], out var value, out _) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public JsonElement? Array(string name) =>
        TryGet([name], out var value, out _) && value.ValueKind == JsonValueKind.Array ? value : null;

    public JsonElement? Object(string name) =>
        TryGet([name], out var value, out _) && value.ValueKind == JsonValueKind.Object ? value : null;

    public int RecordMissing(string name, params string[] alternatives)
    {
        Missing.Add(alternatives.Length == 0
            ? $"'{name}'"
            : $"'{name}' (also looked for {string.Join(", ", alternatives.Select(a => $"'{a}'"))})");
        return 0;
    }
}
