using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A data rate (memory or link bandwidth). Stored in bytes/s; NaN and infinity are rejected.</summary>
public readonly partial record struct Bandwidth : IComparable<Bandwidth>
{
    private Bandwidth(double value) => BytesPerSecond = Guard.Finite(value, nameof(Bandwidth));

    /// <summary>The value in bytes/s.</summary>
    public double BytesPerSecond { get; }

    public static Bandwidth Zero => default;

    public static Bandwidth FromBytesPerSecond(double value) => new(value);

    public static Bandwidth operator +(Bandwidth a, Bandwidth b) => new(a.BytesPerSecond + b.BytesPerSecond);
    public static Bandwidth operator -(Bandwidth a, Bandwidth b) => new(a.BytesPerSecond - b.BytesPerSecond);
    public static Bandwidth operator -(Bandwidth a) => new(-a.BytesPerSecond);
    public static Bandwidth operator *(Bandwidth a, double k) => new(a.BytesPerSecond * k);
    public static Bandwidth operator *(double k, Bandwidth a) => new(a.BytesPerSecond * k);
    public static Bandwidth operator /(Bandwidth a, double k) => new(a.BytesPerSecond / k);
    public static double operator /(Bandwidth a, Bandwidth b) => a.BytesPerSecond / b.BytesPerSecond;
    public static bool operator <(Bandwidth a, Bandwidth b) => a.BytesPerSecond < b.BytesPerSecond;
    public static bool operator >(Bandwidth a, Bandwidth b) => a.BytesPerSecond > b.BytesPerSecond;
    public static bool operator <=(Bandwidth a, Bandwidth b) => a.BytesPerSecond <= b.BytesPerSecond;
    public static bool operator >=(Bandwidth a, Bandwidth b) => a.BytesPerSecond >= b.BytesPerSecond;

    public static Bandwidth Max(Bandwidth a, Bandwidth b) => a.BytesPerSecond >= b.BytesPerSecond ? a : b;
    public static Bandwidth Min(Bandwidth a, Bandwidth b) => a.BytesPerSecond <= b.BytesPerSecond ? a : b;

    public int CompareTo(Bandwidth other) => BytesPerSecond.CompareTo(other.BytesPerSecond);

    public override string ToString() => BytesPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " bytes/s";
}
