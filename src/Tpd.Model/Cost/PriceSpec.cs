using Tpd.Core.Units;

namespace Tpd.Model.Cost;

/// <summary>What one GPU costs per hour: rented at a price, or owned (capex over a lifetime plus electricity).</summary>
public abstract record PriceSpec
{
    /// <summary>Where the figure comes from, for reports ("catalog on-demand tier", "--price 2.10").</summary>
    public abstract string Description { get; }

    public abstract MoneyRate PerGpu { get; }
}

/// <summary>A rental price per GPU-hour.</summary>
public sealed record RentedPrice(MoneyRate PerGpuHour, string Source) : PriceSpec
{
    public override string Description => $"${PerGpuHour.DollarsPerHour:0.00##}/GPU-hour ({Source})";
    public override MoneyRate PerGpu => PerGpuHour;
}

/// <summary>
/// Owned hardware: straight-line depreciation of the capex over the lifetime plus power x PUE x tariff.
/// Power defaults to the GPU's TDP; the all-in figure (host share, networking) is a better input where known.
/// </summary>
public sealed record OwnedPrice(Money CapexPerGpu, Duration Lifetime, Power Watts, double Pue, EnergyPrice Tariff) : PriceSpec
{
    public MoneyRate Depreciation => CapexPerGpu / Lifetime;
    public MoneyRate Electricity => Watts * Pue * Tariff;
    public override MoneyRate PerGpu => Depreciation + Electricity;

    public override string Description =>
        $"owned: ${CapexPerGpu.Dollars:N0} over {Lifetime.Hours / 8760:0.#} y + {Watts.Watts:0} W x PUE {Pue:0.##} at ${Tariff.DollarsPerKilowattHour:0.###}/kWh";

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (CapexPerGpu <= Money.Zero) e.Add($"capex {CapexPerGpu.Dollars} must be positive dollars per GPU, e.g. --capex 30000");
        if (Lifetime <= Duration.Zero) e.Add($"lifetime must be positive, e.g. --lifetime-years 4");
        if (Watts < Power.Zero) e.Add($"watts {Watts.Watts} cannot be negative");
        if (!(Pue >= 1 && Pue <= 3)) e.Add($"PUE {Pue} is out of range; use 1.0 to 3.0 (1.1 to 1.5 is typical)");
        if (Tariff < EnergyPrice.Zero) e.Add("electricity price cannot be negative");
        return e;
    }
}
