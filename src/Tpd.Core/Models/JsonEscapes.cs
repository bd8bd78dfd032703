using System.Text.RegularExpressions;

namespace Tpd.Core.Models;

/// <summary>
/// JSON may write a lone UTF-16 surrogate ("\ud800"): valid syntax, but no text, and System.Text.Json throws
/// InvalidOperationException when asked for the string. Readers look for one first and refuse the file with
/// its line, instead of failing wherever the string happens to be read.
/// </summary>
public static partial class JsonEscapes
{
    /// <summary>A high surrogate escape not followed by a low one, or a low one not after a high one.</summary>
    [GeneratedRegex(@"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}")]
    private static partial Regex LoneSurrogate();

    /// <summary>A message naming the first lone surrogate escape and its line, or null when there is none.</summary>
    public static string? FindLoneSurrogate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.Contains("\\u", StringComparison.OrdinalIgnoreCase))
            return null;
        var m = LoneSurrogate().Match(json);
        if (!m.Success)
            return null;
        var escape = m.Value.TrimStart('\\');
        var line = 1 + json.AsSpan(0, m.Index).Count('\n');
        return $"line {line} holds the escape '\\{escape}', half of a UTF-16 surrogate pair and no character; write the character itself or its full pair";
    }
}
