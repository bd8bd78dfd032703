using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Core.Units;
using Tpd.Model.Cost;
using Tpd.Model.Serving;

namespace Tpd.Model.Estimate;

/// <summary>Everything one estimate needs, already resolved from names and files.</summary>
public sealed record EstimateRequest
{
    public required ModelArchitecture Model { get; init; }
    public required GpuSpec Gpu { get; init; }
    public ServingConfig Serving { get; init; } = new();
    public Efficiency Efficiency { get; init; } = Efficiency.Default;
    public Workload Workload { get; init; } = new();

    /// <summary>Price per GPU; null = the GPU's on-demand catalog tier.</summary>
    public PriceSpec? Price { get; init; }

    /// <summary>Power per GPU for tokens per joule; null = the GPU's TDP (a busy GPU runs near it).</summary>
    public Power? WattsPerGpu { get; init; }

    /// <summary>Memory per GPU instead of the catalog's (e.g. the seed's "B200 with 192 GB").</summary>
    public DataSize? MemoryPerGpu { get; init; }

    /// <summary>The replica this request describes, for <see cref="Replicas.ReplicaBuilder"/>.</summary>
    public Replicas.ReplicaSetup Replica => new() { Gpu = Gpu, Serving = Serving, Efficiency = Efficiency, MemoryPerGpu = MemoryPerGpu };

    /// <summary>The price given, else the catalog's default tier (<see cref="Validate"/> reports a GPU without one).</summary>
    public PriceSpec ResolvedPrice => Price ?? new RentedPrice(Gpu.PriceFor(), $"catalog {PriceTierResolver.Default} tier");

    /// <summary>Every problem at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Serving.Validate());
        errors.AddRange(Efficiency.Validate());
        errors.AddRange(Workload.Validate());
        if (Price is OwnedPrice owned)
            errors.AddRange(owned.Validate());
        if (Price is RentedPrice rented && rented.PerGpuHour < MoneyRate.Zero)
            errors.Add($"price {rented.PerGpuHour.DollarsPerHour} $/GPU-hour cannot be negative");
        if (WattsPerGpu is { } w && w <= Power.Zero)
            errors.Add($"watts {w.Watts} must be positive");
        if (MemoryPerGpu is { } m && m <= DataSize.Zero)
            errors.Add($"GPU memory {m} must be positive, e.g. --gpu-memory 192GB");
        if (Price is null && !Gpu.Prices.ContainsKey(PriceTierResolver.Default))
            errors.Add($"GPU '{Gpu.Id}' has no {PriceTierResolver.Default} price in the catalog; give --price DOLLARS_PER_GPU_HOUR");
        errors.AddRange(Serving.SplitErrors(Model));
        return errors;
    }
}
