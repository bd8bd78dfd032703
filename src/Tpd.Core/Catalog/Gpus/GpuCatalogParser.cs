using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tpd.Core.Catalog;

/// <summary>
/// Reads a catalog file's text into its wire shape. The typed reader stops at the first value of the wrong
/// type ("80" where 80 belongs), so when it does, the file is walked once more as a tree: every mistyped
/// value is reported and removed, and the rest is read, so that range checks still run and one error lists
/// every problem in the file. A syntax error still stops everything: after it nothing can be trusted.
/// </summary>
internal static class GpuCatalogParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = GpuCatalogLimits.MaxJsonDepth,
        AllowDuplicateProperties = false,
    };

    private const string NumberFix = "numbers are bare (80, not \"80\"), text is quoted, prices and peaks are objects; see docs/catalog.md";

    private static readonly HashSet<string> TextFields =
    [
        GpuFields.Id, GpuFields.Name, GpuFields.Vendor, GpuFields.Architecture, GpuFields.ComputeCapability, GpuFields.ScaleUpLink,
    ];

    private static readonly HashSet<string> NumberFields =
    [
        GpuFields.LabelMemoryGb, GpuFields.UsableMemoryMib, GpuFields.MemoryBandwidthGbPerS, GpuFields.TdpWatts,
        GpuFields.ScaleUpGbPerSPerDirection, GpuFields.ScaleUpDomain, GpuFields.AllInPowerKw,
    ];

    public static GpuCatalogDocument? Parse(string json, string sourceName, GpuEntryValidator validator)
    {
        if (json.Length > GpuCatalogLimits.MaxFileChars)
        {
            throw new CatalogFileException(sourceName,
            [
                new CatalogProblem("$", $"the file holds {json.Length:N0} characters, more than the {GpuCatalogLimits.MaxFileChars:N0} a catalog may have",
                    "list only the GPUs you add or change (the embedded catalog of 24 GPUs is 54 KB)"),
            ]);
        }

        if (Models.JsonEscapes.FindLoneSurrogate(json) is { } surrogate)
            throw new CatalogFileException(sourceName, [new CatalogProblem("$", "not valid text", surrogate)]);

        try
        {
            return JsonSerializer.Deserialize(json, GpuCatalogJsonContext.Default.GpuCatalogDocument);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            var first = new CatalogProblem(e.Path ?? "$", $"not valid JSON for a GPU catalog{where}", NumberFix);
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(json, documentOptions: DocumentOptions);
            }
            catch (JsonException syntax)
            {
                // Not a wrong type but broken JSON (or a key written twice): nothing after it can be trusted.
                var at = syntax.LineNumber is { } l ? $" (line {l + 1}, byte {syntax.BytePositionInLine + 1})" : "";
                var reason = syntax.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ');
                throw new CatalogFileException(sourceName, [new CatalogProblem(syntax.Path ?? first.Path, $"not valid JSON{at}: {reason}", "fix the syntax (each key once per object); see docs/catalog.md")]);
            }

            var mistyped = new List<CatalogProblem>();
            RemoveMistyped(root, mistyped);
            validator.Add(first);
            foreach (var p in mistyped.Where(p => Canonical(p.Path) != Canonical(first.Path)))
                validator.Add(p);
            try
            {
                return root.Deserialize(GpuCatalogJsonContext.Default.GpuCatalogDocument);
            }
            catch (JsonException)
            {
                // A shape the walk does not know: what it found is still the best report.
                throw new CatalogFileException(sourceName, validator.Problems);
            }
        }
    }

    /// <summary>System.Text.Json writes $.prices['on-demand'] where the validator writes $.prices.on-demand.</summary>
    private static string Canonical(string path) => path.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal);

    private static void RemoveMistyped(JsonNode? root, List<CatalogProblem> problems)
    {
        if (root is not JsonObject doc)
            return;
        Expect(doc, "about", "$", JsonValueKind.String, problems);
        if (!Expect(doc, "gpus", "$", JsonValueKind.Array, problems) || doc["gpus"] is not JsonArray gpus)
            return;
        for (var i = 0; i < gpus.Count; i++)
        {
            var path = $"$.gpus[{i}]";
            if (gpus[i] is null)
                continue;
            if (gpus[i] is not JsonObject entry)
            {
                problems.Add(new CatalogProblem(path, $"is {Describe(gpus[i])}, not an object", "write each GPU as an object such as {\"id\": \"h100-sxm\"}"));
                gpus[i] = null;
                continue;
            }

            foreach (var name in entry.Select(p => p.Key).ToList())
            {
                if (TextFields.Contains(name))
                    Expect(entry, name, path, JsonValueKind.String, problems);
                else if (NumberFields.Contains(name))
                    Expect(entry, name, path, JsonValueKind.Number, problems);
                else if (name is GpuFields.Prices or GpuFields.DensePeakTflops)
                    ExpectMap(entry, name, path, JsonValueKind.Number, nullable: false, problems);
                else if (name is GpuFields.Sources)
                    ExpectMap(entry, name, path, JsonValueKind.String, nullable: true, problems);
                else if (name is GpuFields.Aliases && Expect(entry, name, path, JsonValueKind.Array, problems) && entry[name] is JsonArray aliases)
                    ExpectItems(aliases, $"{path}.{name}", problems);
            }
        }
    }

    /// <summary>True when the member is absent, null or of the kind; otherwise records the problem and removes it.</summary>
    private static bool Expect(JsonObject owner, string name, string path, JsonValueKind kind, List<CatalogProblem> problems)
    {
        var node = owner[name];
        if (node is null || IsKind(node, kind))
            return true;
        problems.Add(new CatalogProblem($"{path}.{name}", $"is {Describe(node)}, not {Expected(kind)}", NumberFix));
        owner.Remove(name);
        return false;
    }

    private static void ExpectMap(JsonObject owner, string name, string path, JsonValueKind kind, bool nullable, List<CatalogProblem> problems)
    {
        if (!Expect(owner, name, path, JsonValueKind.Object, problems) || owner[name] is not JsonObject map)
            return;
        foreach (var key in map.Select(p => p.Key).ToList())
        {
            var node = map[key];
            if ((node is null && nullable) || (node is not null && IsKind(node, kind)))
                continue;
            problems.Add(new CatalogProblem($"{path}.{name}.{key}", $"is {Describe(node)}, not {Expected(kind)}", NumberFix));
            map.Remove(key);
        }
    }

    private static void ExpectItems(JsonArray items, string path, List<CatalogProblem> problems)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i] is { } node && !IsKind(node, JsonValueKind.String))
            {
                problems.Add(new CatalogProblem($"{path}[{i}]", $"is {Describe(node)}, not text", NumberFix));
                items.RemoveAt(i);
            }
        }
    }

    /// <summary>A number must also fit a double: 1e400 is a number in JSON but infinity in memory.</summary>
    private static bool IsKind(JsonNode node, JsonValueKind kind) =>
        node.GetValueKind() == kind
        && (kind != JsonValueKind.Number || (node.AsValue().TryGetValue<double>(out var d) && double.IsFinite(d)));

    private static string Expected(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a finite number",
        JsonValueKind.String => "text",
        JsonValueKind.Array => "a list",
        _ => "an object",
    };

    private static string Describe(JsonNode? node)
    {
        if (node is null)
            return "null";
        var raw = node.ToJsonString();
        var shown = raw.Length <= 40 ? raw : raw[..37] + "...";
        return node.GetValueKind() switch
        {
            JsonValueKind.String => $"the text {shown}",
            JsonValueKind.Number => $"the number {shown}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {shown}",
            JsonValueKind.Array => "a list",
            _ => "an object",
        };
    }
}
