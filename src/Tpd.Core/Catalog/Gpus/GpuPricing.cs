using Tpd.Core.Units;

namespace Tpd.Core.Catalog;

/// <summary>Price lookups on a GPU with errors that say what the GPU does have.</summary>
public static class GpuPricing
{
    /// <summary>
    /// The GPU's price per GPU-hour in a tier (any spelling <see cref="PriceTierResolver"/> accepts;
    /// null means <see cref="PriceTierResolver.Default"/>).
    /// </summary>
    /// <exception cref="CatalogLookupException">Unknown tier, or this GPU has no price in it.</exception>
    public static MoneyRate PriceFor(this GpuSpec gpu, string? tier = null)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var id = PriceTierResolver.Resolve(tier);
        if (gpu.Prices.TryGetValue(id, out var price))
            return price;
        var has = gpu.Prices.Count == 0 ? "no prices at all" : "prices for " + string.Join(", ", gpu.Prices.Keys);
        throw new CatalogLookupException(
            $"GPU '{gpu.Id}' has no '{id}' price (it has {has}); use one of those tiers, give an explicit $/GPU-hour, or add \"prices\": {{\"{id}\": ...}} for '{gpu.Id}' in a catalog override file");
    }
}
