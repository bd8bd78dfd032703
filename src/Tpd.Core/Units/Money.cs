using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>An amount of money in US dollars. Stored in USD; NaN and infinity are rejected.</summary>
public readonly partial record struct Money : IComparable<Money>
{
    private Money(double value) => Dollars = Guard.Finite(value, nameof(Money));

    /// <summary>The value in USD.</summary>
    public double Dollars { get; }

    public static Money Zero => default;

    public static Money FromDollars(double value) => new(value);

    public static Money operator +(Money a, Money b) => new(a.Dollars + b.Dollars);
    public static Money operator -(Money a, Money b) => new(a.Dollars - b.Dollars);
    public static Money operator -(Money a) => new(-a.Dollars);
    public static Money operator *(Money a, double k) => new(a.Dollars * k);
    public static Money operator *(double k, Money a) => new(a.Dollars * k);
    public static Money operator /(Money a, double k) => new(a.Dollars / k);
    public static double operator /(Money a, Money b) => a.Dollars / b.Dollars;
    public static bool operator <(Money a, Money b) => a.Dollars < b.Dollars;
    public static bool operator >(Money a, Money b) => a.Dollars > b.Dollars;
    public static bool operator <=(Money a, Money b) => a.Dollars <= b.Dollars;
    public static bool operator >=(Money a, Money b) => a.Dollars >= b.Dollars;

    public static Money Max(Money a, Money b) => a.Dollars >= b.Dollars ? a : b;
    public static Money Min(Money a, Money b) => a.Dollars <= b.Dollars ? a : b;

    public int CompareTo(Money other) => Dollars.CompareTo(other.Dollars);

    public override string ToString() => Dollars.ToString("G6", CultureInfo.InvariantCulture) + " USD";
}
