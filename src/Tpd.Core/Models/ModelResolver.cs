using Tpd.Core.Catalog;

namespace Tpd.Core.Models;

/// <summary>
/// Turns a --model argument into an architecture: an inline "custom:..." spec, a catalog name or alias,
/// or a path to a config.json (or a folder holding one). Pure: the caller supplies file reading.
/// </summary>
public static class ModelResolver
{
    /// <param name="spec">The user's text.</param>
    /// <param name="readFileOrNull">Returns a file's text, or null when no such file exists.</param>
    /// <param name="catalog">The catalog to look names up in; <see cref="ModelCatalog.Default"/> when null.</param>
    public static ModelArchitecture Resolve(string spec, Func<string, string?> readFileOrNull, ModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(readFileOrNull);
        var text = spec.Trim();
        if (CustomModelSpec.IsCustom(text))
            return CustomModelSpec.Parse(text);

        catalog ??= ModelCatalog.Default;
        // Catalog names win over same-named folders; write ./name to mean the folder.
        if (!LooksLikePath(text) && catalog.TryFind(text, out var known))
            return known;

        foreach (var candidate in (string[])[text, CombineConfig(text)])
        {
            if (readFileOrNull(candidate) is { } json)
                return HfConfigReader.Parse(json, IdFromPath(candidate), candidate);
        }

        if (LooksLikePath(text))
            throw new ModelConfigException($"no config.json at '{text}' (looked for '{text}' and '{CombineConfig(text)}'); give a config.json file, a folder holding one, a catalog name (`tpd catalog models`) or custom:layers=...");
        throw new CatalogLookupException("model", text, NameMatcher.Nearest(text, catalog.Entries.Select(e => e.Id)), "tpd catalog models");
    }

    private static bool LooksLikePath(string s) =>
        s.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        || s.StartsWith('.') || s.StartsWith('/') || s.StartsWith('~') || s.Contains('\\', StringComparison.Ordinal)
        || (s.Length > 1 && s[1] == ':');

    private static string CombineConfig(string folder) =>
        folder.EndsWith('/') || folder.EndsWith('\\') ? folder + "config.json" : folder + "/config.json";

    /// <summary>"models/Llama-3.1-8B/config.json" gives "Llama-3.1-8B"; "x/qwen.json" gives "qwen".</summary>
    internal static string IdFromPath(string path)
    {
        var parts = path.Replace('\\', '/').TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return path;
        var last = parts[^1];
        if (last.Equals("config.json", StringComparison.OrdinalIgnoreCase) && parts.Length > 1)
            return parts[^2];
        return last.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? last[..^5] : last;
    }
}
