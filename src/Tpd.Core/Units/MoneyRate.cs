using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A spending rate (rental or running cost). Stored in USD/s; NaN and infinity are rejected.</summary>
public readonly partial record struct MoneyRate : IComparable<MoneyRate>
{
    private MoneyRate(double value) => DollarsPerSecond = Guard.Finite(value, nameof(MoneyRate));

    /// <summary>The value in USD/s.</summary>
    public double DollarsPerSecond { get; }

    public static MoneyRate Zero => default;

    public static MoneyRate FromDollarsPerSecond(double value) => new(value);

    public static MoneyRate operator +(MoneyRate a, MoneyRate b) => new(a.DollarsPerSecond + b.DollarsPerSecond);
    public static MoneyRate operator -(MoneyRate a, MoneyRate b) => new(a.DollarsPerSecond - b.DollarsPerSecond);
    public static MoneyRate operator -(MoneyRate a) => new(-a.DollarsPerSecond);
    public static MoneyRate operator *(MoneyRate a, double k) => new(a.DollarsPerSecond * k);
    public static MoneyRate operator *(double k, MoneyRate a) => new(a.DollarsPerSecond * k);
    public static MoneyRate operator /(MoneyRate a, double k) => new(a.DollarsPerSecond / k);
    public static double operator /(MoneyRate a, MoneyRate b) => a.DollarsPerSecond / b.DollarsPerSecond;
    public static bool operator <(MoneyRate a, MoneyRate b) => a.DollarsPerSecond < b.DollarsPerSecond;
    public static bool operator >(MoneyRate a, MoneyRate b) => a.DollarsPerSecond > b.DollarsPerSecond;
    public static bool operator <=(MoneyRate a, MoneyRate b) => a.DollarsPerSecond <= b.DollarsPerSecond;
    public static bool operator >=(MoneyRate a, MoneyRate b) => a.DollarsPerSecond >= b.DollarsPerSecond;

    public static MoneyRate Max(MoneyRate a, MoneyRate b) => a.DollarsPerSecond >= b.DollarsPerSecond ? a : b;
    public static MoneyRate Min(MoneyRate a, MoneyRate b) => a.DollarsPerSecond <= b.DollarsPerSecond ? a : b;

    public int CompareTo(MoneyRate other) => DollarsPerSecond.CompareTo(other.DollarsPerSecond);

    public override string ToString() => DollarsPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " USD/s";
}
