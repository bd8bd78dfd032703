using System.Text.Json;

namespace Tpd.Core.Models;

/// <summary>
/// Reads fields of one config.json object by name and alternative names, checking each value's JSON type and
/// range, and collects every missing or bad field instead of stopping at the first, so one error message can
/// name them all. A JSON null reads as absent, as transformers treats it ("sliding_window": null).
/// </summary>
internal sealed class ConfigFields
{
    private readonly JsonElement _primary;
    private readonly JsonElement? _fallback;
    private readonly string _prefix;

    /// <param name="primary">The object holding the decoder fields (the root, or Gemma 3's text_config).</param>
    /// <param name="fallback">Where to look when the primary lacks a field (the root when primary is text_config).</param>
    /// <param name="prefix">Put before field names in messages, e.g. "quantization_config.".</param>
    public ConfigFields(JsonElement primary, JsonElement? fallback = null, string prefix = "")
    {
        _primary = primary;
        _fallback = fallback;
        _prefix = prefix;
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
    public int Require(string name, int max, params string[] alternatives) =>
        Optional(name, alternatives, max: max) ?? RecordMissing(name, alternatives);

    /// <summary>An integer field that may be absent; a present value must be an integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int? Optional(string name, string[] alternatives, int min = 1, int max = int.MaxValue)
    {
        string[] names = [name, .. alternatives];
        if (!TryGet(names, out var value, out var found))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d) && d >= min)
        {
            // Some exporters write integral values as 4096.0.
            if (d <= max)
                return (int)d;
            Invalid.Add($"'{_prefix}{found}' must be an integer from {min} to {max}, got {Show(value)}");
            return null;
        }

        Invalid.Add($"'{_prefix}{found}' must be an integer of at least {min}, got {Show(value)}");
        return null;
    }

    public int? Optional(string name, int min = 1, int max = int.MaxValue) => Optional(name, [], min, max);

    public bool? Bool(string name)
    {
        if (!TryGet([name], out var value, out _))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => Bad<bool?>(name, value, "true or false"),
        };
    }

    /// <summary>A text field; a present value of another JSON type is recorded as bad.</summary>
    public string? String(string name)
    {
        if (!TryGet([name], out var value, out _))
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : Bad<string?>(name, value, "text");
    }

    public JsonElement? Array(string name) => OfKind(name, JsonValueKind.Array, "a list");

    public JsonElement? Object(string name) => OfKind(name, JsonValueKind.Object, "an object");

    /// <summary>Records a present JSON null as bad: for fields where null has no meaning (GPTQ's bits).</summary>
    public void RejectNull(params string[] names)
    {
        foreach (var name in names)
        {
            if ((_primary.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null)
                || (_fallback is { } f && !_primary.TryGetProperty(name, out _) && f.TryGetProperty(name, out v) && v.ValueKind == JsonValueKind.Null))
            {
                Invalid.Add($"'{_prefix}{name}' is null; give a value or leave the field out");
            }
        }
    }

    private JsonElement? OfKind(string name, JsonValueKind kind, string what)
    {
        if (!TryGet([name], out var value, out _))
            return null;
        return value.ValueKind == kind ? value : Bad<JsonElement?>(name, value, what);
    }

    private T Bad<T>(string name, JsonElement value, string what)
    {
        Invalid.Add($"'{_prefix}{name}' must be {what}, got {Show(value)}");
        return default!;
    }

    public int RecordMissing(string name, params string[] alternatives)
    {
        Missing.Add(alternatives.Length == 0
            ? $"'{_prefix}{name}'"
            : $"'{_prefix}{name}' (also looked for {string.Join(", ", alternatives.Select(a => $"'{a}'"))})");
        return 0;
    }

    /// <summary>A value as written, cut short: a hostile file must not turn one error message into megabytes.</summary>
    public static string Show(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 80 ? raw : raw[..77] + "...";
    }
}
