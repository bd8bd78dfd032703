using Tpd.Core.Units;

namespace Tpd.Core.Measurement;

/// <summary>What the deployment under test costs and draws; every member is optional.</summary>
public sealed record CostInputs
{
    /// <summary>Rental price of everything serving the endpoint (all GPUs of all replicas).</summary>
    public MoneyRate? Price { get; init; }

    /// <summary>Measured or assumed electrical power of the serving hardware.</summary>
    public Power? Power { get; init; }

    /// <summary>Electricity tariff, for the running cost beside the rental cost.</summary>
    public EnergyPrice? Electricity { get; init; }

    /// <summary>Power usage effectiveness of the data centre; 1.0 (no overhead) by default, as a stated assumption.</summary>
    public double Pue { get; init; } = 1.0;
}

/// <summary>Cost and energy per token of a run. A member is null when its input was not given or the rate was zero.</summary>
public sealed record CostSummary
{
    public Measured<Money>? PerMillionOutputTokens { get; init; }
    public Measured<Money>? PerMillionTotalTokens { get; init; }
    public Measured<Money>? PerMillionGoodputTokens { get; init; }
    public Measured<Energy>? EnergyPerOutputToken { get; init; }
    public Measured<Energy>? EnergyPerTotalToken { get; init; }
    public Measured<Money>? ElectricityPerMillionOutputTokens { get; init; }
}
