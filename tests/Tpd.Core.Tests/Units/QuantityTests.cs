using FsCheck;
using FsCheck.Fluent;
using Tpd.Core.Units;
using Tpd.TestKit;

namespace Tpd.Core.Tests.Units;

public class QuantityTests
{
    [Fact]
    public void Gigabytes_and_gibibytes_are_kept_apart()
    {
        DataSize.FromGB(1).Bytes.ShouldBe(1e9);
        DataSize.FromGiB(1).Bytes.ShouldBe(1073741824);
        DataSize.FromGiB(80).GB.ShouldBe(85.899345920, 1e-9);
    }

    [Fact]
    public void Size_over_bandwidth_is_a_duration()
    {
        var t = DataSize.FromGB(192) / Bandwidth.FromTBps(8);
        t.Milliseconds.ShouldBe(24, 1e-9);
    }

    [Fact]
    public void Work_over_rate_is_a_duration_and_work_over_bytes_is_intensity()
    {
        (FlopCount.FromTeraflops(989) / FlopRate.FromTeraflops(989)).Seconds.ShouldBe(1, 1e-12);
        (FlopCount.FromFlops(562) / DataSize.FromBytes(1)).ShouldBe(562);
        (FlopRate.FromPetaflops(4.5) / Bandwidth.FromTBps(8)).ShouldBe(562.5, 1e-9);
    }

    [Fact]
    public void Money_rate_times_time_is_money_and_prices_per_million()
    {
        var rate = MoneyRate.FromDollarsPerHour(4);
        (rate * Duration.FromHours(2)).Dollars.ShouldBe(8, 1e-12);
        rate.DollarsPerMillion(TokenRate.FromTokensPerSecond(1000)).ShouldBe(4.0 / 3600 / 1000 * 1e6, 1e-12);
    }

    [Fact]
    public void Power_times_time_is_energy_and_energy_times_tariff_is_money()
    {
        var e = Power.FromWatts(700) * Duration.FromHours(1);
        e.KilowattHours.ShouldBe(0.7, 1e-12);
        (e * EnergyPrice.FromDollarsPerKilowattHour(0.1)).Dollars.ShouldBe(0.07, 1e-12);
        (Power.FromKilowatts(1) * EnergyPrice.FromDollarsPerKilowattHour(0.12)).DollarsPerHour.ShouldBe(0.12, 1e-12);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_are_rejected(double bad)
    {
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => DataSize.FromBytes(bad));
        ex.Message.ShouldContain("DataSize must be a finite number");
    }

    [Fact]
    public void Division_by_zero_duration_is_rejected_not_infinite()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DataSize.FromGB(1) / Duration.Zero);
    }

    [Fact]
    public void Conversions_round_trip()
    {
        Prop.ForAll(Arb.From(Gen.Choose(1, 1_000_000)), n =>
        {
            var x = n / 7.0;
            return Math.Abs(DataSize.FromGiB(x).GiB - x) < 1e-9 * x
                && Math.Abs(Bandwidth.FromTBps(x).TBps - x) < 1e-9 * x
                && Math.Abs(Duration.FromMilliseconds(x).Milliseconds - x) < 1e-9 * x
                && Math.Abs(MoneyRate.FromDollarsPerHour(x).DollarsPerHour - x) < 1e-9 * x
                && Math.Abs(Energy.FromKilowattHours(x).KilowattHours - x) < 1e-9 * x;
        }).Check(PropertyConfig.Default);
    }

    [Fact]
    public void Addition_is_commutative_and_scaling_distributes()
    {
        Prop.ForAll(Arb.From(Gen.Choose(0, 1_000_000)), Arb.From(Gen.Choose(0, 1_000_000)), (a, b) =>
        {
            var x = DataSize.FromBytes(a);
            var y = DataSize.FromBytes(b);
            return x + y == y + x && (x + y) * 3 == x * 3 + y * 3 && (x + y - y) == x;
        }).Check(PropertyConfig.Default);
    }
}
