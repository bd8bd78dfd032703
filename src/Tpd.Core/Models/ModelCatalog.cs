using System.Reflection;
using System.Text.Json;
using Tpd.Core.Catalog;

namespace Tpd.Core.Models;

/// <summary>
/// Models known by name: the config.json files embedded under Catalog/Data/models (provenance in
/// PROVENANCE.md there) and index.json, which names them and records the published parameter counts.
/// Lookups ignore case and separators ("Llama-3.1-70B", "llama3.1_70b" and "meta-llama/Llama-3.1-70B" all match).
/// </summary>
public sealed partial class ModelCatalog
{
    private const string ResourcePrefix = "Tpd.Catalog.models/";
    private static readonly Lazy<ModelCatalog> DefaultCatalog = new(LoadEmbedded);

    private readonly Dictionary<string, ModelArchitecture> _byName;

    private ModelCatalog(IReadOnlyList<ModelCatalogEntry> entries, IReadOnlyList<ModelArchitecture> models)
    {
        Entries = entries;
        All = models;
        _byName = new Dictionary<string, ModelArchitecture>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var name in (IEnumerable<string>)[entries[i].Id, entries[i].Name, .. entries[i].Aliases])
            {
                var key = NameMatcher.Normalize(name);
                if (_byName.TryGetValue(key, out var other) && !ReferenceEquals(other, models[i]))
                    throw new InvalidOperationException($"model catalog name '{name}' is used by both '{other.Id}' and '{models[i].Id}'");
                _byName[key] = models[i];
            }
        }
    }

    /// <summary>The catalog embedded in Tpd.Core.</summary>
    public static ModelCatalog Default => DefaultCatalog.Value;

    /// <summary>Every model, in index order.</summary>
    public IReadOnlyList<ModelArchitecture> All { get; }

    /// <summary>The index rows, parallel to <see cref="All"/>.</summary>
    public IReadOnlyList<ModelCatalogEntry> Entries { get; }

    /// <summary>Every id, display name and alias, for "did you mean" suggestions and listings.</summary>
    public IEnumerable<string> Names => Entries.SelectMany(e => (IEnumerable<string>)[e.Id, e.Name, .. e.Aliases]);

    public bool TryFind(string nameOrAlias, out ModelArchitecture model) =>
        _byName.TryGetValue(NameMatcher.Normalize(nameOrAlias), out model!);

    /// <summary>
    /// The architecture behind a served model name: an exact match first, else the name without its organisation
    /// ("meta-llama/") and chat-tuning suffixes ("-Instruct", "-Chat", "-it", "-hf"), which keep the base model's
    /// architecture. Quantisation suffixes ("-AWQ", "-FP8") are not stripped: they change the weights.
    /// </summary>
    public bool TryFindServed(string servedName, out ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(servedName);
        if (TryFind(servedName, out model))
            return true;
        var name = servedName[(servedName.LastIndexOf('/') + 1)..];
        while (TuningSuffix().Match(name) is { Success: true } m)
        {
            name = name[..m.Index];
            if (TryFind(name, out model))
                return true;
        }

        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[-_.](instruct|chat|it|hf)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex TuningSuffix();

    /// <summary>The model with this id, name or alias; throws with the nearest names when there is none.</summary>
    public ModelArchitecture Find(string nameOrAlias)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        if (TryFind(nameOrAlias, out var model))
            return model;
        throw new CatalogLookupException("model", nameOrAlias, NameMatcher.Nearest(nameOrAlias, Entries.Select(e => e.Id)), "tpd catalog models");
    }

    /// <summary>The index row of a catalog model, for its sources.</summary>
    public ModelCatalogEntry EntryOf(ModelArchitecture model)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (ReferenceEquals(All[i], model) || All[i].Id == model.Id)
                return Entries[i];
        }

        throw new ArgumentException($"model '{model.Id}' is not in this catalog", nameof(model));
    }

    /// <summary>Builds a catalog from an index.json text and a reader for the config files it names.</summary>
    public static ModelCatalog Load(string indexJson, Func<string, string> readConfig)
    {
        ArgumentNullException.ThrowIfNull(readConfig);
        var index = JsonSerializer.Deserialize(indexJson, ModelIndexJsonContext.Default.ModelIndex)
            ?? throw new InvalidOperationException("model index is empty");
        var models = index.Models.Select(e => FromEntry(e, readConfig(e.File))).ToList();
        return new ModelCatalog(index.Models, models);
    }

    private static ModelArchitecture FromEntry(ModelCatalogEntry e, string configJson)
    {
        var m = HfConfigReader.Parse(configJson, e.Id, e.ConfigSource);
        return m with
        {
            Name = e.Name,
            Quantization = e.IgnoreQuantization ? null : m.Quantization,
            PublishedTotalParams = ParamCount.Parse(e.ParamsTotal),
            PublishedActiveParams = e.ParamsActive is null ? null : ParamCount.Parse(e.ParamsActive),
            PublishedActiveExcludesEmbedding = e.ActiveExcludesEmbedding,
            Notes = e.IgnoreQuantization ? [.. m.Notes, "quantization_config ignored: this entry is the bf16 checkpoint of the same architecture"] : m.Notes,
        };
    }

    private static ModelCatalog LoadEmbedded()
    {
        var assembly = typeof(ModelCatalog).Assembly;
        return Load(ReadResource(assembly, "index.json"), file => ReadResource(assembly, file));
    }

    private static string ReadResource(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
            ?? throw new InvalidOperationException($"embedded model file '{file}' is missing from Tpd.Core (expected resource '{ResourcePrefix}{file}')");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
