using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>An amount of memory or data. GB (1e9) and GiB (2^30) are kept apart. Stored in bytes; NaN and infinity are rejected.</summary>
public readonly partial record struct DataSize : IComparable<DataSize>
{
    private DataSize(double value) => Bytes = Guard.Finite(value, nameof(DataSize));

    /// <summary>The value in bytes.</summary>
    public double Bytes { get; }

    public static DataSize Zero => default;

    public static DataSize FromBytes(double value) => new(value);

    public static DataSize operator +(DataSize a, DataSize b) => new(a.Bytes + b.Bytes);
    public static DataSize operator -(DataSize a, DataSize b) => new(a.Bytes - b.Bytes);
    public static DataSize operator -(DataSize a) => new(-a.Bytes);
    public static DataSize operator *(DataSize a, double k) => new(a.Bytes * k);
    public static DataSize operator *(double k, DataSize a) => new(a.Bytes * k);
    public static DataSize operator /(DataSize a, double k) => new(a.Bytes / k);
    public static double operator /(DataSize a, DataSize b) => a.Bytes / b.Bytes;
    public static bool operator <(DataSize a, DataSize b) => a.Bytes < b.Bytes;
    public static bool operator >(DataSize a, DataSize b) => a.Bytes > b.Bytes;
    public static bool operator <=(DataSize a, DataSize b) => a.Bytes <= b.Bytes;
    public static bool operator >=(DataSize a, DataSize b) => a.Bytes >= b.Bytes;

    public static DataSize Max(DataSize a, DataSize b) => a.Bytes >= b.Bytes ? a : b;
    public static DataSize Min(DataSize a, DataSize b) => a.Bytes <= b.Bytes ? a : b;

    public int CompareTo(DataSize other) => Bytes.CompareTo(other.Bytes);

    public override string ToString() => Bytes.ToString("G6", CultureInfo.InvariantCulture) + " bytes";
}
