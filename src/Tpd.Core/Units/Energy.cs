using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>Energy. Stored in J; NaN and infinity are rejected.</summary>
public readonly partial record struct Energy : IComparable<Energy>
{
    private Energy(double value) => Joules = Guard.Finite(value, nameof(Energy));

    /// <summary>The value in J.</summary>
    public double Joules { get; }

    public static Energy Zero => default;

    public static Energy FromJoules(double value) => new(value);

    public static Energy operator +(Energy a, Energy b) => new(a.Joules + b.Joules);
    public static Energy operator -(Energy a, Energy b) => new(a.Joules - b.Joules);
    public static Energy operator -(Energy a) => new(-a.Joules);
    public static Energy operator *(Energy a, double k) => new(a.Joules * k);
    public static Energy operator *(double k, Energy a) => new(a.Joules * k);
    public static Energy operator /(Energy a, double k) => new(a.Joules / k);
    public static double operator /(Energy a, Energy b) => a.Joules / b.Joules;
    public static bool operator <(Energy a, Energy b) => a.Joules < b.Joules;
    public static bool operator >(Energy a, Energy b) => a.Joules > b.Joules;
    public static bool operator <=(Energy a, Energy b) => a.Joules <= b.Joules;
    public static bool operator >=(Energy a, Energy b) => a.Joules >= b.Joules;

    public static Energy Max(Energy a, Energy b) => a.Joules >= b.Joules ? a : b;
    public static Energy Min(Energy a, Energy b) => a.Joules <= b.Joules ? a : b;

    public int CompareTo(Energy other) => Joules.CompareTo(other.Joules);

    public override string ToString() => Joules.ToString("G6", CultureInfo.InvariantCulture) + " J";
}
