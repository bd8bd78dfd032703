namespace Tpd.Core.Catalog;

/// <summary>
/// Applies one catalog file to a list of entries: entries whose id (or alias) names a GPU already there
/// override the fields they carry; the others add new GPUs. Validates everything first and throws one
/// <see cref="CatalogFileException"/> listing every problem, so a bad file never yields half a catalog.
/// </summary>
internal static class GpuCatalogMerge
{
    public static List<GpuEntry> Apply(IReadOnlyList<GpuEntry> baseEntries, string json, string sourceName, bool requireSources)
    {
        var validator = new GpuEntryValidator();
        var document = GpuCatalogParser.Parse(json, sourceName, validator);
        validator.CheckDocument(document);
        if (document?.Gpus is { Count: > GpuCatalogLimits.MaxGpus } many)
        {
            validator.Add("$.gpus", $"lists {many.Count:N0} GPUs", $"list at most {GpuCatalogLimits.MaxGpus}: the GPUs you add or change");
            throw new CatalogFileException(sourceName, validator.Problems);
        }

        var result = baseEntries.Select(e => e.Clone()).ToList();
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < result.Count; i++)
            Register(owner, result[i], i);

        var overrides = new List<(GpuEntry Entry, int Target, string Path)>();
        var added = new List<(GpuEntry Entry, string Path)>();
        var changedBy = new Dictionary<int, string>();
        var entries = document?.Gpus ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var path = $"$.gpus[{i}]";
            if (entries[i] is not { } entry)
            {
                validator.Add(path, "is null", "write an object with at least an \"id\", or remove it");
                continue;
            }

            if (string.IsNullOrWhiteSpace(entry.Id))
            {
                validator.Add($"{path}.id", "missing", "give the id or an alias of the GPU to override, or a new lower-case kebab id to add one");
                validator.CheckEntry(entry, path, target: new GpuEntry(), requireSources, () => []);
                continue;
            }

            if (!validator.CheckNameLimits(entry, path))
                continue;

            if (owner.TryGetValue(NameMatcher.Normalize(entry.Id), out var index))
            {
                if (changedBy.TryGetValue(index, out var earlier))
                {
                    validator.Add($"{path}.id", $"GPU '{result[index].Id}' is already changed by {earlier}",
                        "merge the two entries into one");
                }

                changedBy.TryAdd(index, path);
                validator.CheckEntry(entry, path, result[index], requireSources, () => []);
                CheckAliases(validator, owner, entry, index, path, result);
                overrides.Add((entry, index, path));
            }
            else
            {
                // Suggestions cost a comparison with every name, so they are made only for an entry that needs them.
                var id = entry.Id;
                validator.CheckEntry(entry, path, target: null, requireSources, () => NearestIds(id, result, owner));
                var newIndex = result.Count;
                result.Add(entry);
                CheckAliases(validator, owner, entry, newIndex, path, result);
                Register(owner, entry, newIndex);
                changedBy[newIndex] = path;
                added.Add((entry, path));
            }
        }

        if (validator.Problems.Count > 0)
            throw new CatalogFileException(sourceName, validator.Problems);

        foreach (var (entry, target, path) in overrides)
            result[target] = Merge(result[target], entry, path, sourceName);
        foreach (var (entry, path) in added)
            FillSources(entry, entry, path, sourceName);
        return result;
    }

    private static void Register(Dictionary<string, int> owner, GpuEntry entry, int index)
    {
        owner.TryAdd(NameMatcher.Normalize(entry.Id!), index);
        foreach (var alias in entry.Aliases ?? [])
        {
            var key = NameMatcher.Normalize(alias ?? "");
            if (key.Length > 0)
                owner.TryAdd(key, index);
        }
    }

    private static void CheckAliases(GpuEntryValidator validator, Dictionary<string, int> owner, GpuEntry entry, int index, string path, List<GpuEntry> all)
    {
        var aliases = entry.Aliases ?? [];
        for (var i = 0; i < aliases.Count; i++)
        {
            if (aliases[i] is null)
                continue;
            if (owner.TryGetValue(NameMatcher.Normalize(aliases[i]), out var other) && other != index)
            {
                validator.Add($"{path}.{GpuFields.Aliases}[{i}]", $"'{aliases[i]}' already names GPU '{all[other].Id}'",
                    "remove it or pick a name no other GPU uses");
            }
        }
    }

    private static List<string> NearestIds(string wanted, List<GpuEntry> all, Dictionary<string, int> owner)
    {
        var names = all.SelectMany(e => (e.Aliases ?? []).Prepend(e.Id!)).Where(n => n is not null);
        return GpuNameSuggestions.NearestIds(wanted, names, n => all[owner[NameMatcher.Normalize(n)]].Id!);
    }

    private static GpuEntry Merge(GpuEntry target, GpuEntry change, string path, string sourceName)
    {
        var merged = target.Clone();
        merged.Name = change.Name ?? merged.Name;
        merged.Vendor = change.Vendor ?? merged.Vendor;
        merged.Architecture = change.Architecture ?? merged.Architecture;
        merged.ComputeCapability = change.ComputeCapability ?? merged.ComputeCapability;
        merged.LabelMemoryGb = change.LabelMemoryGb ?? merged.LabelMemoryGb;
        merged.UsableMemoryMib = change.UsableMemoryMib ?? merged.UsableMemoryMib;
        merged.MemoryBandwidthGbPerS = change.MemoryBandwidthGbPerS ?? merged.MemoryBandwidthGbPerS;
        merged.TdpWatts = change.TdpWatts ?? merged.TdpWatts;
        merged.ScaleUpLink = change.ScaleUpLink ?? merged.ScaleUpLink;
        merged.ScaleUpGbPerSPerDirection = change.ScaleUpGbPerSPerDirection ?? merged.ScaleUpGbPerSPerDirection;
        merged.ScaleUpDomain = change.ScaleUpDomain ?? merged.ScaleUpDomain;
        merged.AllInPowerKw = change.AllInPowerKw ?? merged.AllInPowerKw;
        merged.DensePeakTflops = Union(merged.DensePeakTflops, change.DensePeakTflops);
        merged.Prices = Union(merged.Prices, change.Prices);

        // Aliases add up: an override names the GPU more ways, it never takes a name away.
        if (change.Aliases is { } extra)
        {
            merged.Aliases = [.. (merged.Aliases ?? []).Concat(extra)
                .DistinctBy(a => NameMatcher.Normalize(a), StringComparer.Ordinal)];
        }

        FillSources(merged, change, path, sourceName);
        return merged;
    }

    private static Dictionary<string, T>? Union<T>(Dictionary<string, T>? old, Dictionary<string, T>? change)
    {
        if (change is null)
            return old;
        var result = old is null ? new Dictionary<string, T>() : new Dictionary<string, T>(old);
        foreach (var (key, value) in change)
            result[key] = value;
        return result;
    }

    /// <summary>
    /// Every figure the file sets takes the source the file gives for it, or else the file itself:
    /// a figure never keeps a source that no longer describes it.
    /// </summary>
    private static void FillSources(GpuEntry into, GpuEntry change, string path, string sourceName)
    {
        var sources = into.Sources is null ? new Dictionary<string, string>() : new Dictionary<string, string>(into.Sources);
        foreach (var key in change.FigureKeys())
            sources[key] = change.Sources is not null && change.Sources.TryGetValue(key, out var given) ? given : $"{sourceName} ({path}.{key})";
        foreach (var (key, text) in change.Sources ?? [])
            sources[key] = text;
        into.Sources = sources;
    }
}
