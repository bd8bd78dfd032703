using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A compute rate. Stored in FLOP/s; NaN and infinity are rejected.</summary>
public readonly partial record struct FlopRate : IComparable<FlopRate>
{
    private FlopRate(double value) => FlopsPerSecond = Guard.Finite(value, nameof(FlopRate));

    /// <summary>The value in FLOP/s.</summary>
    public double FlopsPerSecond { get; }

    public static FlopRate Zero => default;

    public static FlopRate FromFlopsPerSecond(double value) => new(value);

    public static FlopRate operator +(FlopRate a, FlopRate b) => new(a.FlopsPerSecond + b.FlopsPerSecond);
    public static FlopRate operator -(FlopRate a, FlopRate b) => new(a.FlopsPerSecond - b.FlopsPerSecond);
    public static FlopRate operator -(FlopRate a) => new(-a.FlopsPerSecond);
    public static FlopRate operator *(FlopRate a, double k) => new(a.FlopsPerSecond * k);
    public static FlopRate operator *(double k, FlopRate a) => new(a.FlopsPerSecond * k);
    public static FlopRate operator /(FlopRate a, double k) => new(a.FlopsPerSecond / k);
    public static double operator /(FlopRate a, FlopRate b) => a.FlopsPerSecond / b.FlopsPerSecond;
    public static bool operator <(FlopRate a, FlopRate b) => a.FlopsPerSecond < b.FlopsPerSecond;
    public static bool operator >(FlopRate a, FlopRate b) => a.FlopsPerSecond > b.FlopsPerSecond;
    public static bool operator <=(FlopRate a, FlopRate b) => a.FlopsPerSecond <= b.FlopsPerSecond;
    public static bool operator >=(FlopRate a, FlopRate b) => a.FlopsPerSecond >= b.FlopsPerSecond;

    public static FlopRate Max(FlopRate a, FlopRate b) => a.FlopsPerSecond >= b.FlopsPerSecond ? a : b;
    public static FlopRate Min(FlopRate a, FlopRate b) => a.FlopsPerSecond <= b.FlopsPerSecond ? a : b;

    public int CompareTo(FlopRate other) => FlopsPerSecond.CompareTo(other.FlopsPerSecond);

    public override string ToString() => FlopsPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " FLOP/s";
}
