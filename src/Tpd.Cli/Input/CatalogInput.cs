using Tpd.Core.Catalog;
using Tpd.Core.Models;

namespace Tpd.Cli.Input;

/// <summary>Resolves GPU and model names against the catalogs (with a user's override file), collecting errors.</summary>
internal static class CatalogInput
{
    public static GpuCatalog Gpus(string? catalogFile, IFiles files, InputErrors errors)
    {
        if (catalogFile is null)
            return GpuCatalog.Default;
        var text = files.ReadText(catalogFile);
        if (text is null)
        {
            errors.Add($"--catalog '{catalogFile}' does not exist; give the path of a JSON file (format in docs/catalog.md)");
            return GpuCatalog.Default;
        }

        try
        {
            return GpuCatalog.Default.WithOverrides(text, catalogFile);
        }
        catch (CatalogFileException e)
        {
            errors.Add($"--catalog '{catalogFile}': {e.Message}");
            return GpuCatalog.Default;
        }
    }

    public static GpuSpec? Gpu(GpuCatalog catalog, string name, InputErrors errors)
    {
        try
        {
            return catalog.Get(name);
        }
        catch (CatalogLookupException e)
        {
            errors.Add(e.Message);
            return null;
        }
    }

    public static ModelArchitecture? Model(string spec, IFiles files, InputErrors errors)
    {
        try
        {
            return ModelResolver.Resolve(spec, files.ReadText);
        }
        catch (Exception e) when (e is CatalogLookupException or ModelConfigException)
        {
            errors.Add(e.Message);
            return null;
        }
    }
}
