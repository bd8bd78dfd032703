using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>Electrical power. Stored in W; NaN and infinity are rejected.</summary>
public readonly partial record struct Power : IComparable<Power>
{
    private Power(double value) => Watts = Guard.Finite(value, nameof(Power));

    /// <summary>The value in W.</summary>
    public double Watts { get; }

    public static Power Zero => default;

    public static Power FromWatts(double value) => new(value);

    public static Power operator +(Power a, Power b) => new(a.Watts + b.Watts);
    public static Power operator -(Power a, Power b) => new(a.Watts - b.Watts);
    public static Power operator -(Power a) => new(-a.Watts);
    public static Power operator *(Power a, double k) => new(a.Watts * k);
    public static Power operator *(double k, Power a) => new(a.Watts * k);
    public static Power operator /(Power a, double k) => new(a.Watts / k);
    public static double operator /(Power a, Power b) => a.Watts / b.Watts;
    public static bool operator <(Power a, Power b) => a.Watts < b.Watts;
    public static bool operator >(Power a, Power b) => a.Watts > b.Watts;
    public static bool operator <=(Power a, Power b) => a.Watts <= b.Watts;
    public static bool operator >=(Power a, Power b) => a.Watts >= b.Watts;

    public static Power Max(Power a, Power b) => a.Watts >= b.Watts ? a : b;
    public static Power Min(Power a, Power b) => a.Watts <= b.Watts ? a : b;

    public int CompareTo(Power other) => Watts.CompareTo(other.Watts);

    public override string ToString() => Watts.ToString("G6", CultureInfo.InvariantCulture) + " W";
}
