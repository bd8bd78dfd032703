using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A tariff: money per unit of energy. Stored in USD/J; NaN and infinity are rejected.</summary>
public readonly partial record struct EnergyPrice : IComparable<EnergyPrice>
{
    private EnergyPrice(double value) => DollarsPerJoule = Guard.Finite(value, nameof(EnergyPrice));

    /// <summary>The value in USD/J.</summary>
    public double DollarsPerJoule { get; }

    public static EnergyPrice Zero => default;

    public static EnergyPrice FromDollarsPerJoule(double value) => new(value);

    public static EnergyPrice operator +(EnergyPrice a, EnergyPrice b) => new(a.DollarsPerJoule + b.DollarsPerJoule);
    public static EnergyPrice operator -(EnergyPrice a, EnergyPrice b) => new(a.DollarsPerJoule - b.DollarsPerJoule);
    public static EnergyPrice operator -(EnergyPrice a) => new(-a.DollarsPerJoule);
    public static EnergyPrice operator *(EnergyPrice a, double k) => new(a.DollarsPerJoule * k);
    public static EnergyPrice operator *(double k, EnergyPrice a) => new(a.DollarsPerJoule * k);
    public static EnergyPrice operator /(EnergyPrice a, double k) => new(a.DollarsPerJoule / k);
    public static double operator /(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule / b.DollarsPerJoule;
    public static bool operator <(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule < b.DollarsPerJoule;
    public static bool operator >(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule > b.DollarsPerJoule;
    public static bool operator <=(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule <= b.DollarsPerJoule;
    public static bool operator >=(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule >= b.DollarsPerJoule;

    public static EnergyPrice Max(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule >= b.DollarsPerJoule ? a : b;
    public static EnergyPrice Min(EnergyPrice a, EnergyPrice b) => a.DollarsPerJoule <= b.DollarsPerJoule ? a : b;

    public int CompareTo(EnergyPrice other) => DollarsPerJoule.CompareTo(other.DollarsPerJoule);

    public override string ToString() => DollarsPerJoule.ToString("G6", CultureInfo.InvariantCulture) + " USD/J";
}
