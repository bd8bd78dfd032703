using Tpd.Core.Units;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Tests.NvidiaSmi;

public class SmiValueTests
{
    [Theory]
    [InlineData("N/A")]
    [InlineData("[N/A]")]
    [InlineData("Not Supported")]
    [InlineData("[Not Supported]")]
    [InlineData("Requested functionality has been deprecated")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Markers_of_absence_read_as_null(string? raw)
    {
        SmiValue.Text(raw).ShouldBeNull();
        SmiValue.Number(raw).ShouldBeNull();
        SmiValue.Power(raw).ShouldBeNull();
    }

    [Theory]
    [InlineData("35.06 W", 35.06, "W")]
    [InlineData("16x", 16, "x")]
    [InlineData("-7 C", -7, "C")]
    [InlineData("9840338777 us", 9840338777, "us")]
    [InlineData("192 bank(s)", 192, "bank(s)")]
    [InlineData("1.5e+03 MHz", 1500, "MHz")]
    public void Numbers_are_split_from_their_units(string raw, double value, string unit) =>
        SmiValue.NumberWithUnit(raw).ShouldBe((value, unit));

    [Fact]
    public void Units_convert_into_core_quantities()
    {
        SmiValue.Power("350.00 W").ShouldBe(Power.FromWatts(350));
        SmiValue.Power("35000 mW").ShouldBe(Power.FromWatts(35));
        SmiValue.Size("24576 MiB").ShouldBe(DataSize.FromGiB(24));
        SmiValue.Time("1500 us").ShouldBe(Duration.FromMilliseconds(1.5));
    }

    [Fact]
    public void Unknown_units_read_as_missing_rather_than_as_a_wrong_number() =>
        SmiValue.Power("35 furlongs").ShouldBeNull();

    [Theory]
    [InlineData("Enabled", true)]
    [InlineData("Disabled", false)]
    [InlineData("Active", true)]
    [InlineData("Not Active", false)]
    [InlineData("Yes", true)]
    [InlineData("No", false)]
    [InlineData("N/A", null)]
    public void Flags_read_every_spelling(string raw, bool? expected) => SmiValue.Flag(raw).ShouldBe(expected);
}
