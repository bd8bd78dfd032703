using System.Globalization;

namespace Tpd.Gateway.Config;

/// <summary>Reads one map of the config tree, collecting every error (value quoted, what is allowed, the fix) and flagging unknown keys.</summary>
internal sealed class Section
{
    private readonly Dictionary<string, object?> _map;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Section(string path, Dictionary<string, object?>? map, List<string> errors)
    {
        Path = path;
        _map = map ?? [];
        Errors = errors;
    }

    public string Path { get; }
    public List<string> Errors { get; }

    private string At(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public static Section Of(string path, object? node, List<string> errors)
    {
        if (node is not null and not Dictionary<string, object?>)
            errors.Add($"{path} is {ConfigTree.Brief(node)}; it must be a map of keys to values");
        return new Section(path, node as Dictionary<string, object?>, errors);
    }

    public object? Raw(string key)
    {
        _read.Add(key);
        return _map.GetValueOrDefault(key);
    }

    public Section Child(string key) => Of(At(key), Raw(key), Errors);

    public string? String(string key, string? fallback = null)
    {
        var v = Raw(key);
        switch (v)
        {
            case null:
                return fallback;
            case ConfigTree.Scalar s:
                return s.Text;
            default:
                Errors.Add($"{At(key)} is {ConfigTree.Brief(v)}; it must be text");
                return fallback;
        }
    }

    public double Number(string key, double fallback, double min, double max, string fix)
    {
        var v = Raw(key);
        if (v is null)
            return fallback;
        if (v is ConfigTree.Scalar { Quoted: true } q)
        {
            Errors.Add($"{At(key)} is the text '{ConfigTree.Brief(q)}', not a number; write it without quotes; allowed {Fmt(min)} to {Fmt(max)}; {fix}");
            return fallback;
        }
        if (v is ConfigTree.Scalar s && double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            if (d >= min && d <= max)
                return d;
            Errors.Add($"{At(key)} is {s.Text}; allowed {Fmt(min)} to {Fmt(max)}; {fix}");
            return fallback;
        }
        Errors.Add($"{At(key)} is '{ConfigTree.Brief(v)}', not a number; allowed {Fmt(min)} to {Fmt(max)}; {fix}");
        return fallback;
    }

    public double? OptionalNumber(string key, double min, double max, string fix)
    {
        var v = Raw(key);
        return v is null ? null : Number(key, double.NaN, min, max, fix) is var d && double.IsNaN(d) ? null : d;
    }

    public int Integer(string key, int fallback, int min, int max, string fix)
    {
        var v = Raw(key);
        if (v is null)
            return fallback;
        if (v is ConfigTree.Scalar { Quoted: true } q)
        {
            Errors.Add($"{At(key)} is the text '{ConfigTree.Brief(q)}', not a whole number; write it without quotes; allowed {min} to {max}; {fix}");
            return fallback;
        }
        if (v is ConfigTree.Scalar s && int.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            if (i >= min && i <= max)
                return i;
            Errors.Add($"{At(key)} is {s.Text}; allowed {min} to {max}; {fix}");
            return fallback;
        }
        Errors.Add($"{At(key)} is '{ConfigTree.Brief(v)}', not a whole number; allowed {min} to {max}; {fix}");
        return fallback;
    }

    public TimeSpan Seconds(string key, double fallback, double min, double max, string fix) =>
        TimeSpan.FromSeconds(Number(key, fallback, min, max, fix));

    public bool Bool(string key, bool fallback)
    {
        var v = Raw(key);
        if (v is null)
            return fallback;
        if (v is ConfigTree.Scalar { Quoted: false } s && bool.TryParse(s.Text, out var b))
            return b;
        Errors.Add($"{At(key)} is '{ConfigTree.Brief(v)}'{(v is ConfigTree.Scalar { Quoted: true } ? " in quotes" : "")}; allowed true or false, without quotes");
        return fallback;
    }

    public List<object?> List(string key)
    {
        var v = Raw(key);
        if (v is null)
            return [];
        if (v is List<object?> list)
            return list;
        Errors.Add($"{At(key)} is '{ConfigTree.Brief(v)}'; it must be a list (YAML '- item' lines or a JSON array)");
        return [];
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        var text = String(key);
        if (text is null)
            return fallback;
        if (choices.TryGetValue(text, out var value))
            return value;
        Errors.Add($"{At(key)} is '{ConfigTree.Brief(text)}'; allowed {string.Join(", ", choices.Keys)}");
        return fallback;
    }

    /// <summary>Marks every key starting with <paramref name="prefix"/> as read: extension keys the file may carry for its own use.</summary>
    public void IgnoreExtensions(string prefix)
    {
        foreach (var key in _map.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            _read.Add(key);
    }

    /// <summary>Reports keys nobody asked for: usually a typo that would otherwise be ignored silently.</summary>
    public void RejectUnknown()
    {
        foreach (var key in _map.Keys.Where(k => !_read.Contains(k)))
        {
            var known = string.Join(", ", _read.Order(StringComparer.Ordinal));
            var close = _read.FirstOrDefault(k => Close(k, key));
            var hint = close is null ? $"known keys here: {known}" : $"did you mean '{close}'?";
            Errors.Add($"{At(ConfigTree.Brief(key))}: unknown key '{ConfigTree.Brief(key)}'; {hint}");
        }
    }

    /// <summary>Known key <paramref name="a"/> is close to the unknown <paramref name="b"/>: equal but for separators, or of near length sharing a 3-letter start or end.</summary>
    private static bool Close(string a, string b) =>
        a.Replace("_", "", StringComparison.Ordinal).Equals(b.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)
        || (Math.Abs(a.Length - b.Length) <= 2 && a.Length > 3 && b.Length >= 3
            && (a.StartsWith(b[..3], StringComparison.OrdinalIgnoreCase) || a.EndsWith(b[^3..], StringComparison.OrdinalIgnoreCase)));

    private static string Fmt(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
