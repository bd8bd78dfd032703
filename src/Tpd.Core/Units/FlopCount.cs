using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A number of floating-point (or integer tensor) operations. Stored in FLOP; NaN and infinity are rejected.</summary>
public readonly partial record struct FlopCount : IComparable<FlopCount>
{
    private FlopCount(double value) => Flops = Guard.Finite(value, nameof(FlopCount));

    /// <summary>The value in FLOP.</summary>
    public double Flops { get; }

    public static FlopCount Zero => default;

    public static FlopCount FromFlops(double value) => new(value);

    public static FlopCount operator +(FlopCount a, FlopCount b) => new(a.Flops + b.Flops);
    public static FlopCount operator -(FlopCount a, FlopCount b) => new(a.Flops - b.Flops);
    public static FlopCount operator -(FlopCount a) => new(-a.Flops);
    public static FlopCount operator *(FlopCount a, double k) => new(a.Flops * k);
    public static FlopCount operator *(double k, FlopCount a) => new(a.Flops * k);
    public static FlopCount operator /(FlopCount a, double k) => new(a.Flops / k);
    public static double operator /(FlopCount a, FlopCount b) => a.Flops / b.Flops;
    public static bool operator <(FlopCount a, FlopCount b) => a.Flops < b.Flops;
    public static bool operator >(FlopCount a, FlopCount b) => a.Flops > b.Flops;
    public static bool operator <=(FlopCount a, FlopCount b) => a.Flops <= b.Flops;
    public static bool operator >=(FlopCount a, FlopCount b) => a.Flops >= b.Flops;

    public static FlopCount Max(FlopCount a, FlopCount b) => a.Flops >= b.Flops ? a : b;
    public static FlopCount Min(FlopCount a, FlopCount b) => a.Flops <= b.Flops ? a : b;

    public int CompareTo(FlopCount other) => Flops.CompareTo(other.Flops);

    public override string ToString() => Flops.ToString("G6", CultureInfo.InvariantCulture) + " FLOP";
}
