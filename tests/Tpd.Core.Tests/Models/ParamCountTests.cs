using Tpd.Core.Models;

namespace Tpd.Core.Tests.Models;

public class ParamCountTests
{
    [Theory]
    [InlineData("8.03B", 8.03e9)]
    [InlineData("671b", 671e9)]
    [InlineData("1T", 1e12)]
    [InlineData("350M", 350e6)]
    [InlineData("7e9", 7e9)]
    [InlineData(" 12.9B ", 12.9e9)]
    public void Parse_reads_suffixes_and_e_notation(string text, double expected)
    {
        ParamCount.Parse(text).ShouldBe(expected, expected * 1e-12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("B")]
    [InlineData("-5B")]
    [InlineData("lots")]
    public void TryParse_rejects_what_is_not_a_positive_count(string text)
    {
        ParamCount.TryParse(text, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("3.3B", 0.1e9)]
    [InlineData("671B", 1e9)]
    [InlineData("116.83B", 0.01e9)]
    public void StatedPrecision_is_one_unit_of_the_last_written_digit(string text, double unit)
    {
        ParamCount.StatedPrecision(text).ShouldBe(unit, unit * 1e-9);
    }
}
