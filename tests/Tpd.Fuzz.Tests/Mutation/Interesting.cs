namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>
/// Values that break readers: boundaries of int, long and double, overflow to infinity, the non-numbers,
/// wrong types, empty and huge text, escapes a JSON writer refuses (a lone surrogate), deep nesting.
/// </summary>
public static class Interesting
{
    public static readonly string[] Numbers =
    [
        "0", "-0", "-1", "1", "2", "3", "4", "7", "8", "16", "64.5", "0.5", "1.0", "127", "128", "255", "256", "1024", "65536",
        "2147483647", "2147483648", "-2147483648", "4294967296", "9007199254740993", "18446744073709551616",
        "1e15", "1e300", "-1e300", "1.7976931348623157e308", "1e400", "-1e400", "5e-324", "1e-400", "3.14159",
    ];

    /// <summary>Numbers that are finite and positive yet far outside any real figure.</summary>
    public static readonly string[] Absurd = ["1e300", "1.7976931348623157e308", "18446744073709551616", "1e15", "4294967296"];

    public static readonly string[] Texts =
    [
        "", " ", "a", "4", "5", "-1", "NaN", "Infinity", "-Infinity", "1e999", "true", "null", "0x10", "1_000",
        "💥", "\\u0000", "\\ud800", "../../etc/passwd", "%s%n%x", "<script>", "é", "a\\nb", "\\\"",
    ];

    /// <summary>Raw JSON tokens, some of them not JSON at all (NaN), some deep or huge.</summary>
    public static string RawJson(Random random) => random.Next(12) switch
    {
        0 => "NaN",
        1 => "Infinity",
        2 => "null",
        3 => "true",
        4 => "[]",
        5 => "{}",
        6 => Nest("[", "]", random.Next(2) == 0 ? 65 : 5_000, "1"),
        7 => Nest("{\"a\":", "}", 200, "1"),
        8 => "[" + string.Join(",", Enumerable.Repeat("1", random.Next(2) == 0 ? 300 : 100_000)) + "]",
        9 => "\"" + new string('x', random.Next(2) == 0 ? 200 : 2_000_000) + "\"",
        10 => "\"\\ud800\"",
        _ => Numbers[random.Next(Numbers.Length)],
    };

    public static string Nest(string open, string close, int depth, string inner) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
