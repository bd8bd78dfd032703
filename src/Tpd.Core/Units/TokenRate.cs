using System.Globalization;

namespace Tpd.Core.Units;

/// <summary>Tokens per second. Stored in tokens/s; NaN and infinity are rejected.</summary>
public readonly partial record struct TokenRate : IComparable<TokenRate>
{
    private TokenRate(double value) => TokensPerSecond = Guard.Finite(value, nameof(TokenRate));

    /// <summary>The value in tokens/s.</summary>
    public double TokensPerSecond { get; }

    public static TokenRate Zero => default;

    public static TokenRate FromTokensPerSecond(double value) => new(value);

    public static TokenRate operator +(TokenRate a, TokenRate b) => new(a.TokensPerSecond + b.TokensPerSecond);
    public static TokenRate operator -(TokenRate a, TokenRate b) => new(a.TokensPerSecond - b.TokensPerSecond);
    public static TokenRate operator -(TokenRate a) => new(-a.TokensPerSecond);
    public static TokenRate operator *(TokenRate a, double k) => new(a.TokensPerSecond * k);
    public static TokenRate operator *(double k, TokenRate a) => new(a.TokensPerSecond * k);
    public static TokenRate operator /(TokenRate a, double k) => new(a.TokensPerSecond / k);
    public static double operator /(TokenRate a, TokenRate b) => a.TokensPerSecond / b.TokensPerSecond;
    public static bool operator <(TokenRate a, TokenRate b) => a.TokensPerSecond < b.TokensPerSecond;
    public static bool operator >(TokenRate a, TokenRate b) => a.TokensPerSecond > b.TokensPerSecond;
    public static bool operator <=(TokenRate a, TokenRate b) => a.TokensPerSecond <= b.TokensPerSecond;
    public static bool operator >=(TokenRate a, TokenRate b) => a.TokensPerSecond >= b.TokensPerSecond;

    public static TokenRate Max(TokenRate a, TokenRate b) => a.TokensPerSecond >= b.TokensPerSecond ? a : b;
    public static TokenRate Min(TokenRate a, TokenRate b) => a.TokensPerSecond <= b.TokensPerSecond ? a : b;

    public int CompareTo(TokenRate other) => TokensPerSecond.CompareTo(other.TokensPerSecond);

    public override string ToString() => TokensPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " tokens/s";
}
