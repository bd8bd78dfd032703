using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>A span of time. Stored in s; NaN and infinity are rejected.</summary>
public readonly partial record struct Duration : IComparable<Duration>
{
    private Duration(double value) => Seconds = Guard.Finite(value, nameof(Duration));

    /// <summary>The value in s.</summary>
    public double Seconds { get; }

    public static Duration Zero => default;

    public static Duration FromSeconds(double value) => new(value);

    public static Duration operator +(Duration a, Duration b) => new(a.Seconds + b.Seconds);
    public static Duration operator -(Duration a, Duration b) => new(a.Seconds - b.Seconds);
    public static Duration operator -(Duration a) => new(-a.Seconds);
    public static Duration operator *(Duration a, double k) => new(a.Seconds * k);
    public static Duration operator *(double k, Duration a) => new(a.Seconds * k);
    public static Duration operator /(Duration a, double k) => new(a.Seconds / k);
    public static double operator /(Duration a, Duration b) => a.Seconds / b.Seconds;
    public static bool operator <(Duration a, Duration b) => a.Seconds < b.Seconds;
    public static bool operator >(Duration a, Duration b) => a.Seconds > b.Seconds;
    public static bool operator <=(Duration a, Duration b) => a.Seconds <= b.Seconds;
    public static bool operator >=(Duration a, Duration b) => a.Seconds >= b.Seconds;

    public static Duration Max(Duration a, Duration b) => a.Seconds >= b.Seconds ? a : b;
    public static Duration Min(Duration a, Duration b) => a.Seconds <= b.Seconds ? a : b;

    public int CompareTo(Duration other) => Seconds.CompareTo(other.Seconds);

    public override string ToString() => Seconds.ToString("G6", CultureInfo.InvariantCulture) + " s";
}
