namespace Tpd.Core.Units;

// Unit conversions and the dimensionally meaningful cross-type operators, in one place.
// Only products and quotients that mean something exist: DataSize / Bandwidth is a Duration,
// DataSize * 2 is a DataSize, DataSize * DataSize does not compile.

/// <summary>Decimal (SI) and binary multiples kept apart: 1 GB = 1e9 bytes, 1 GiB = 2^30 bytes.</summary>
public static class SizeConstants
{
    public const double KB = 1e3, MB = 1e6, GB = 1e9, TB = 1e12;
    public const double KiB = 1024.0, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;
}

public readonly partial record struct DataSize
{
    public static DataSize FromKB(double v) => FromBytes(v * SizeConstants.KB);
    public static DataSize FromMB(double v) => FromBytes(v * SizeConstants.MB);
    public static DataSize FromGB(double v) => FromBytes(v * SizeConstants.GB);
    public static DataSize FromTB(double v) => FromBytes(v * SizeConstants.TB);
    public static DataSize FromKiB(double v) => FromBytes(v * SizeConstants.KiB);
    public static DataSize FromMiB(double v) => FromBytes(v * SizeConstants.MiB);
    public static DataSize FromGiB(double v) => FromBytes(v * SizeConstants.GiB);
    public double MB => Bytes / SizeConstants.MB;
    public double GB => Bytes / SizeConstants.GB;
    public double TB => Bytes / SizeConstants.TB;
    public double MiB => Bytes / SizeConstants.MiB;
    public double GiB => Bytes / SizeConstants.GiB;

    public static Duration operator /(DataSize size, Bandwidth rate) => Duration.FromSeconds(size.Bytes / rate.BytesPerSecond);
    public static Bandwidth operator /(DataSize size, Duration time) => Bandwidth.FromBytesPerSecond(size.Bytes / time.Seconds);
}

public readonly partial record struct Bandwidth
{
    public static Bandwidth FromGBps(double v) => FromBytesPerSecond(v * SizeConstants.GB);
    public static Bandwidth FromTBps(double v) => FromBytesPerSecond(v * SizeConstants.TB);
    public double GBps => BytesPerSecond / SizeConstants.GB;
    public double TBps => BytesPerSecond / SizeConstants.TB;

    public static DataSize operator *(Bandwidth rate, Duration time) => DataSize.FromBytes(rate.BytesPerSecond * time.Seconds);
    public static DataSize operator *(Duration time, Bandwidth rate) => rate * time;
}

public readonly partial record struct FlopCount
{
    public static FlopCount FromTeraflops(double v) => FromFlops(v * 1e12);
    public double Teraflops => Flops / 1e12;

    public static Duration operator /(FlopCount work, FlopRate rate) => Duration.FromSeconds(work.Flops / rate.FlopsPerSecond);

    /// <summary>Arithmetic intensity: operations per byte moved.</summary>
    public static double operator /(FlopCount work, DataSize bytes) => work.Flops / bytes.Bytes;
}

public readonly partial record struct FlopRate
{
    public static FlopRate FromTeraflops(double v) => FromFlopsPerSecond(v * 1e12);
    public static FlopRate FromPetaflops(double v) => FromFlopsPerSecond(v * 1e15);
    public double Teraflops => FlopsPerSecond / 1e12;

    /// <summary>Machine balance: operations per byte at which compute and bandwidth take equal time.</summary>
    public static double operator /(FlopRate compute, Bandwidth memory) => compute.FlopsPerSecond / memory.BytesPerSecond;

    public static FlopCount operator *(FlopRate rate, Duration time) => FlopCount.FromFlops(rate.FlopsPerSecond * time.Seconds);
}

public readonly partial record struct Duration
{
    public static Duration FromMilliseconds(double v) => FromSeconds(v / 1e3);
    public static Duration FromMicroseconds(double v) => FromSeconds(v / 1e6);
    public static Duration FromMinutes(double v) => FromSeconds(v * 60);
    public static Duration FromHours(double v) => FromSeconds(v * 3600);
    public double Milliseconds => Seconds * 1e3;
    public double Microseconds => Seconds * 1e6;
    public double Hours => Seconds / 3600;

    /// <summary>Hours in the month used for $/user/month: 720 (30 days), the seed's convention.</summary>
    public static Duration Month => FromHours(720);
}

public readonly partial record struct TokenRate
{
    public static TokenRate Of(double tokens, Duration time) => FromTokensPerSecond(tokens / time.Seconds);
    public double TokensIn(Duration time) => TokensPerSecond * time.Seconds;
}

public readonly partial record struct Power
{
    public static Power FromKilowatts(double v) => FromWatts(v * 1e3);
    public double Kilowatts => Watts / 1e3;
    public static Energy operator *(Power p, Duration t) => Energy.FromJoules(p.Watts * t.Seconds);
    public static Energy operator *(Duration t, Power p) => p * t;
}

public readonly partial record struct Energy
{
    public const double JoulesPerKilowattHour = 3.6e6;
    public static Energy FromKilowattHours(double v) => FromJoules(v * JoulesPerKilowattHour);
    public double KilowattHours => Joules / JoulesPerKilowattHour;
    public static Power operator /(Energy e, Duration t) => Power.FromWatts(e.Joules / t.Seconds);
    public static Money operator *(Energy e, EnergyPrice p) => Money.FromDollars(e.Joules * p.DollarsPerJoule);
}

public readonly partial record struct EnergyPrice
{
    public static EnergyPrice FromDollarsPerKilowattHour(double v) => FromDollarsPerJoule(v / Energy.JoulesPerKilowattHour);
    public double DollarsPerKilowattHour => DollarsPerJoule * Energy.JoulesPerKilowattHour;
    public static MoneyRate operator *(Power p, EnergyPrice price) => MoneyRate.FromDollarsPerSecond(p.Watts * price.DollarsPerJoule);
}

public readonly partial record struct Money
{
    public static MoneyRate operator /(Money m, Duration t) => MoneyRate.FromDollarsPerSecond(m.Dollars / t.Seconds);
}

public readonly partial record struct MoneyRate
{
    public static MoneyRate FromDollarsPerHour(double v) => FromDollarsPerSecond(v / 3600);
    public double DollarsPerHour => DollarsPerSecond * 3600;
    public static Money operator *(MoneyRate r, Duration t) => Money.FromDollars(r.DollarsPerSecond * t.Seconds);
    public static Money operator *(Duration t, MoneyRate r) => r * t;

    /// <summary>Dollars per million tokens at a token rate: $/s / (tokens/s) x 1e6.</summary>
    public double DollarsPerMillion(TokenRate rate) => DollarsPerSecond / rate.TokensPerSecond * 1e6;
}
