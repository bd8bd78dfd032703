using System.Diagnostics.CodeAnalysis;

namespace Tpd.Core.Catalog;

/// <summary>
/// The GPUs tpd knows: the embedded catalog (Catalog/Data/gpus.json, every figure sourced) plus whatever
/// a user adds or overrides from a file. Immutable: <see cref="WithOverrides"/> returns a new catalog.
/// Pure: the caller reads the file and passes its text.
/// </summary>
public sealed class GpuCatalog
{
    /// <summary>Manifest name of the embedded catalog (the csproj embeds Catalog/Data/**/*.json as "Tpd.Catalog.&lt;path&gt;").</summary>
    public const string EmbeddedResourceName = "Tpd.Catalog.gpus.json";

    /// <summary>Name that stands for the embedded file in error messages and generated sources.</summary>
    public const string EmbeddedSourceName = "embedded GPU catalog (Catalog/Data/gpus.json)";

    /// <summary>Where the CLI lists the catalog; named in "unknown GPU" errors.</summary>
    public const string ListCommand = "tpd catalog gpus";

    private static readonly Lazy<GpuCatalog> s_default = new(LoadEmbedded);

    private readonly IReadOnlyList<GpuEntry> _entries;
    private readonly Dictionary<string, GpuSpec> _byName;

    private GpuCatalog(IReadOnlyList<GpuEntry> entries)
    {
        _entries = entries;
        All = entries.Select(GpuSpecFactory.Create).ToList().AsReadOnly();
        _byName = new Dictionary<string, GpuSpec>(StringComparer.Ordinal);
        foreach (var gpu in All)
        {
            foreach (var name in gpu.Aliases.Prepend(gpu.Id))
                _byName.TryAdd(NameMatcher.Normalize(name), gpu);
        }

        Names = All.SelectMany(g => g.Aliases.Prepend(g.Id))
            .DistinctBy(NameMatcher.Normalize, StringComparer.Ordinal)
            .ToList()
            .AsReadOnly();
    }

    /// <summary>The embedded catalog, parsed and validated once on first use.</summary>
    public static GpuCatalog Default => s_default.Value;

    /// <summary>Every GPU in catalog order (embedded order, then GPUs added by override files).</summary>
    public IReadOnlyList<GpuSpec> All { get; }

    /// <summary>Every id and alias (one spelling of each normalized name), for completion and "did you mean".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The GPU with this id or alias. Case and separators do not matter ("H100_SXM" finds "h100-sxm").
    /// </summary>
    /// <exception cref="CatalogLookupException">No such GPU; the message lists the nearest ids.</exception>
    public GpuSpec Get(string idOrAlias)
    {
        ArgumentNullException.ThrowIfNull(idOrAlias);
        return TryGet(idOrAlias, out var gpu)
            ? gpu
            : throw new CatalogLookupException("GPU", idOrAlias, NearestIds(idOrAlias), ListCommand);
    }

    public bool TryGet(string idOrAlias, [NotNullWhen(true)] out GpuSpec? gpu)
    {
        ArgumentNullException.ThrowIfNull(idOrAlias);
        return _byName.TryGetValue(NameMatcher.Normalize(idOrAlias), out gpu);
    }

    /// <summary>
    /// A catalog with a user's file applied: entries whose id or alias names a GPU here override only
    /// the fields they carry (prices, peaks and sources merge key by key; aliases add up); other entries
    /// add new GPUs and must carry every required field. A figure the file sets takes the source the file
    /// gives for it, or "&lt;sourceName&gt; (&lt;json path&gt;)".
    /// </summary>
    /// <param name="json">The file's text (same schema as the embedded catalog; see docs/catalog.md).</param>
    /// <param name="sourceName">How to name the file in errors and sources, usually its path.</param>
    /// <exception cref="CatalogFileException">Every problem in the file at once, each with its JSON path and fix.</exception>
    public GpuCatalog WithOverrides(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new GpuCatalog(GpuCatalogMerge.Apply(_entries, json, sourceName, requireSources: false));
    }

    /// <summary>Builds a catalog from a complete file whose every figure names its source (how the embedded one loads).</summary>
    internal static GpuCatalog FromSourcedJson(string json, string sourceName) =>
        new(GpuCatalogMerge.Apply([], json, sourceName, requireSources: true));

    private List<string> NearestIds(string wanted) =>
        GpuNameSuggestions.NearestIds(wanted, Names, n => _byName[NameMatcher.Normalize(n)].Id);

    private static GpuCatalog LoadEmbedded()
    {
        using var stream = typeof(GpuCatalog).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{EmbeddedResourceName}' is missing from {typeof(GpuCatalog).Assembly.GetName().Name}; check the EmbeddedResource item in Tpd.Core.csproj");
        using var reader = new StreamReader(stream);
        return FromSourcedJson(reader.ReadToEnd(), EmbeddedSourceName);
    }
}
