using System.Globalization;
using System.Text.RegularExpressions;

namespace Tpd.Core.Catalog;

/// <summary>
/// Checks one catalog file entry by entry and collects every problem (never stops at the first).
/// Knows nothing about merging: the caller says whether an entry adds a GPU or overrides one.
/// </summary>
internal sealed partial class GpuEntryValidator
{
    private readonly List<CatalogProblem> _problems = [];

    public IReadOnlyList<CatalogProblem> Problems => _problems;

    public void Add(string path, string problem, string fix) => _problems.Add(new CatalogProblem(path, problem, fix));

    public void Add(CatalogProblem problem) => _problems.Add(problem);

    public void CheckDocument(GpuCatalogDocument? document)
    {
        if (document is null)
        {
            Add("$", "the file holds no catalog", "write an object such as {\"gpus\": [{\"id\": \"h100-sxm\", \"prices\": {\"on-demand\": 2.10}}]}");
            return;
        }

        ReportUnknown("$", document.Unknown, ["about", "gpus"]);
        if (document.Gpus is null)
            Add("$.gpus", "missing", "list the GPUs to add or override under \"gpus\": [ ... ]");
    }

    /// <summary>Checks one entry. <paramref name="target"/> is the GPU it overrides, or null when it adds a new one.</summary>
    public void CheckEntry(GpuEntry entry, string path, GpuEntry? target, bool requireSources, Func<IReadOnlyList<string>> nearestIds)
    {
        ReportUnknown(path, entry.Unknown, GpuFields.All);
        var isNew = target is null;
        if (isNew)
            CheckNew(entry, path, nearestIds);

        CheckText(entry.Name, path, GpuFields.Name);
        CheckText(entry.Vendor, path, GpuFields.Vendor);
        CheckText(entry.Architecture, path, GpuFields.Architecture);
        CheckText(entry.ComputeCapability, path, GpuFields.ComputeCapability);
        CheckText(entry.ScaleUpLink, path, GpuFields.ScaleUpLink);
        CheckPositive(entry.LabelMemoryGb, path, GpuFields.LabelMemoryGb, "GB on the label", GpuCatalogLimits.LabelMemoryGb);
        CheckPositive(entry.UsableMemoryMib, path, GpuFields.UsableMemoryMib, "MiB as nvidia-smi or rocm-smi reports the total", GpuCatalogLimits.UsableMemoryMib);
        CheckPositive(entry.MemoryBandwidthGbPerS, path, GpuFields.MemoryBandwidthGbPerS, "GB/s of memory bandwidth", GpuCatalogLimits.MemoryBandwidthGbPerS);
        CheckPositive(entry.TdpWatts, path, GpuFields.TdpWatts, "watts of board power", GpuCatalogLimits.TdpWatts);
        CheckPositive(entry.ScaleUpGbPerSPerDirection, path, GpuFields.ScaleUpGbPerSPerDirection, "GB/s per direction", GpuCatalogLimits.ScaleUpGbPerS);
        CheckPositive(entry.AllInPowerKw, path, GpuFields.AllInPowerKw, "kW per GPU, host and cooling included", GpuCatalogLimits.AllInPowerKw);
        CheckDomain(entry.ScaleUpDomain, path);
        CheckPeaks(entry, path, isNew);
        CheckPrices(entry.Prices, path);
        CheckAliases(entry.Aliases, path);
        CheckSources(entry, path, target, requireSources);
    }

    private void CheckNew(GpuEntry entry, string path, Func<IReadOnlyList<string>> nearest)
    {
        if (entry.Id is { } id && !KebabId().IsMatch(id))
        {
            Add($"{path}.id", $"'{id}' is not a valid id for a new GPU",
                $"use lower-case letters, digits and single hyphens, e.g. '{Kebab(id)}'");
        }

        var missing = GpuFields.RequiredForNew.Where(f => IsMissing(entry, f)).ToList();
        if (missing.Count > 0 && nearest() is { Count: > 0 } nearestIds)
        {
            Add($"{path}.id", $"no GPU '{entry.Id}' in the catalog, so this entry adds a new GPU and needs every required field",
                $"did you mean {string.Join(", ", nearestIds.Select(n => $"'{n}'"))}? to override a GPU, use its id or an alias");
        }

        foreach (var field in missing)
            Add($"{path}.{field}", $"missing for new GPU '{entry.Id}'", "add " + Describe(field));
    }

    private static bool IsMissing(GpuEntry e, string field) => field switch
    {
        GpuFields.Id => string.IsNullOrWhiteSpace(e.Id),
        GpuFields.Name => e.Name is null,
        GpuFields.Vendor => e.Vendor is null,
        GpuFields.Architecture => e.Architecture is null,
        GpuFields.LabelMemoryGb => e.LabelMemoryGb is null,
        GpuFields.UsableMemoryMib => e.UsableMemoryMib is null,
        GpuFields.MemoryBandwidthGbPerS => e.MemoryBandwidthGbPerS is null,
        GpuFields.DensePeakTflops => e.DensePeakTflops is null,
        GpuFields.TdpWatts => e.TdpWatts is null,
        GpuFields.ScaleUpLink => e.ScaleUpLink is null,
        GpuFields.ScaleUpGbPerSPerDirection => e.ScaleUpGbPerSPerDirection is null,
        GpuFields.ScaleUpDomain => e.ScaleUpDomain is null,
        _ => false,
    };

    private static string Describe(string field) => field switch
    {
        GpuFields.Name => "the marketing name, e.g. \"NVIDIA H100 SXM5 80GB\"",
        GpuFields.Vendor => "the vendor, e.g. \"NVIDIA\"",
        GpuFields.Architecture => "the architecture, e.g. \"Hopper\"",
        GpuFields.LabelMemoryGb => "the capacity on the label in GB, e.g. 80",
        GpuFields.UsableMemoryMib => "the memory total nvidia-smi or rocm-smi reports, in MiB, e.g. 81559",
        GpuFields.MemoryBandwidthGbPerS => "the peak memory bandwidth in GB/s, e.g. 3350",
        GpuFields.DensePeakTflops => "dense peaks in TFLOP/s by data type, at least {\"bf16\": ...}",
        GpuFields.TdpWatts => "the board power in watts, e.g. 700",
        GpuFields.ScaleUpLink => "the GPU-to-GPU link, e.g. \"NVLink 4 via NVSwitch\" or \"PCIe Gen4 x16\"",
        GpuFields.ScaleUpGbPerSPerDirection => "the GPU-to-GPU bandwidth per direction in GB/s, e.g. 450",
        GpuFields.ScaleUpDomain => "how many GPUs share that link, e.g. 8 (1 for a lone card)",
        _ => "a value",
    };

    private void CheckText(string? value, string path, string field)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
            Add($"{path}.{field}", "is empty", "give a value or leave the field out");
        else if (value is not null && value.Length > GpuCatalogLimits.MaxTextChars)
            Add($"{path}.{field}", $"holds {value.Length:N0} characters", $"keep it under {GpuCatalogLimits.MaxTextChars:N0}");
    }

    private void CheckPositive(double? value, string path, string field, string unit, FigureRange range)
    {
        if (value is not { } v)
            return;
        if (!double.IsFinite(v))
            Add($"{path}.{field}", $"{Show(v)} is not a finite number", $"give a positive number of {unit}");
        else if (v <= 0)
            Add($"{path}.{field}", $"{Show(v)} is not allowed", $"give a positive number of {unit}");
        else if (!range.Contains(v))
            Add($"{path}.{field}", $"{Show(v)} is out of range", $"give a positive number of {unit}, from {Show(range.Min)} to {Show(range.Max)}");
    }

    private void CheckDomain(double? value, string path)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 1 || v != Math.Floor(v) || v > GpuCatalogLimits.MaxScaleUpDomain))
        {
            Add($"{path}.{GpuFields.ScaleUpDomain}", $"{Show(v)} is not a GPU count",
                "give a whole number of GPUs of at least 1 (8 for an HGX board, 72 for NVL72, 1 for a lone card)");
        }
    }

    private void CheckPeaks(GpuEntry entry, string path, bool isNew)
    {
        if (entry.DensePeakTflops is not { } peaks)
            return;
        foreach (var (type, value) in peaks)
        {
            var at = $"{path}.{GpuFields.DensePeakTflops}.{type}";
            if (!GpuFields.DataTypes.Contains(type))
                Add(at, $"unknown data type '{type}'", $"{DidYouMean(type, GpuFields.DataTypes)}use one of {string.Join(", ", GpuFields.DataTypes)} (bf16 is also the FP16 peak)");
            else
                CheckPositive(value, $"{path}.{GpuFields.DensePeakTflops}", type, "dense TFLOP/s (halve a datasheet figure given with sparsity)", GpuCatalogLimits.PeakTflops);
        }

        if (isNew && !peaks.ContainsKey("bf16"))
            Add($"{path}.{GpuFields.DensePeakTflops}.bf16", $"missing for new GPU '{entry.Id}'", "every GPU needs its dense BF16 (or FP16) peak in TFLOP/s");
    }

    private void CheckPrices(Dictionary<string, double>? prices, string path)
    {
        if (prices is null)
            return;
        foreach (var (tier, value) in prices)
        {
            var at = $"{path}.{GpuFields.Prices}.{tier}";
            if (!PriceTier.All.Contains(tier))
                Add(at, $"unknown price tier '{tier}'", $"{DidYouMean(tier, PriceTier.All)}use one of {string.Join(", ", PriceTier.All)}");
            else if (!double.IsFinite(value) || value < 0)
                Add(at, $"{Show(value)} is not a price", "give US dollars per GPU-hour, zero or more");
            else if (value != 0 && !GpuCatalogLimits.DollarsPerGpuHour.Contains(value))
                Add(at, $"{Show(value)} is out of range", $"give US dollars per GPU-hour: 0, or from {Show(GpuCatalogLimits.DollarsPerGpuHour.Min)} to {Show(GpuCatalogLimits.DollarsPerGpuHour.Max)}");
        }
    }

    private void CheckAliases(List<string>? aliases, string path)
    {
        if (aliases is null)
            return;
        for (var i = 0; i < aliases.Count; i++)
        {
            if (aliases[i] is null || NameMatcher.Normalize(aliases[i]).Length == 0)
                Add($"{path}.{GpuFields.Aliases}[{i}]", "is empty", "give a name with at least one letter or digit, or remove it");
        }
    }

    /// <summary>
    /// Checks the id and aliases against the size limits before anything compares names (every comparison
    /// costs the product of two lengths). False when the entry must be skipped; its problems are recorded.
    /// </summary>
    public bool CheckNameLimits(GpuEntry entry, string path)
    {
        var ok = true;
        if (entry.Id is { Length: > GpuCatalogLimits.MaxNameChars } id)
        {
            Add($"{path}.{GpuFields.Id}", $"holds {id.Length:N0} characters", $"use an id of at most {GpuCatalogLimits.MaxNameChars} characters, e.g. 'my-gpu'");
            ok = false;
        }

        var aliases = entry.Aliases ?? [];
        if (aliases.Count > GpuCatalogLimits.MaxAliases)
        {
            Add($"{path}.{GpuFields.Aliases}", $"lists {aliases.Count:N0} names", $"give at most {GpuCatalogLimits.MaxAliases}");
            return false;
        }

        for (var i = 0; i < aliases.Count; i++)
        {
            if (aliases[i] is { Length: > GpuCatalogLimits.MaxNameChars } alias)
            {
                Add($"{path}.{GpuFields.Aliases}[{i}]", $"holds {alias.Length:N0} characters", $"use a name of at most {GpuCatalogLimits.MaxNameChars} characters");
                ok = false;
            }
        }

        return ok;
    }

    private void CheckSources(GpuEntry entry, string path, GpuEntry? target, bool requireSources)
    {
        var figures = entry.FigureKeys().ToHashSet(StringComparer.Ordinal);
        var known = target is null ? figures : figures.Union(target.FigureKeys()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, text) in entry.Sources ?? [])
        {
            var at = $"{path}.{GpuFields.Sources}.{key}";
            if (!known.Contains(key))
                Add(at, $"no figure '{key}' to attach this source to", $"{DidYouMean(key, known)}key sources by the figure's field name, e.g. {GpuFields.TdpWatts} or {GpuFields.PriceKey(PriceTier.OnDemand)}");
            else if (string.IsNullOrWhiteSpace(text))
                Add(at, "is empty", "say where the figure comes from (datasheet, page and date, or measurement)");
        }

        if (!requireSources)
            return;
        foreach (var key in figures.Where(k => entry.Sources is null || !entry.Sources.ContainsKey(k)))
            Add($"{path}.{GpuFields.Sources}", $"no source for '{key}'", "every figure in the embedded catalog names its source");
    }

    private void ReportUnknown(string path, Dictionary<string, System.Text.Json.JsonElement>? unknown, IReadOnlyList<string> known)
    {
        foreach (var name in unknown?.Keys ?? Enumerable.Empty<string>())
            Add($"{path}.{name}", $"unknown field '{name}'", DidYouMean(name, known) + "remove it or use a field listed in docs/catalog.md");
    }

    private static string DidYouMean(string wanted, IEnumerable<string> candidates)
    {
        var nearest = NameMatcher.Nearest(wanted, candidates, 1);
        return nearest.Count > 0 ? $"did you mean '{nearest[0]}'? otherwise " : "";
    }

    /// <summary>As written where it can be; a number past double's range (1e400) is named, never printed as Infinity.</summary>
    private static string Show(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "a number beyond ±1.8e308";

    private static string Kebab(string id)
    {
        var words = Regex.Split(id.ToLowerInvariant(), "[^a-z0-9]+").Where(w => w.Length > 0);
        var kebab = string.Join("-", words);
        return kebab.Length > 0 ? kebab : "my-gpu";
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabId();
}
