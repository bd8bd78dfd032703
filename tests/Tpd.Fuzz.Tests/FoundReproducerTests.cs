using System.Text;
using Tpd.Fuzz.Tests.Harness;

namespace Tpd.Fuzz.Tests;

/// <summary>Every input the harness has ever failed on (tests/fixtures/reliability/found) replayed against its target: handled, and as its .expect file says.</summary>
public class FoundReproducerTests
{
    public static TheoryData<string> Saved()
    {
        var data = new TheoryData<string>();
        foreach (var (_, path, _) in Reproducers.All())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Saved))]
    public void A_saved_reproducer_is_handled(string file)
    {
        var (name, path, expectation) = Reproducers.All().Single(r => Path.GetFileName(r.Path) == file);
        FuzzTargets.ByName.Keys.ShouldContain(name, $"{file} names no target; targets are {string.Join(", ", FuzzTargets.ByName.Keys)}");
        var target = FuzzTargets.ByName[name]();
        try
        {
            var input = File.ReadAllBytes(path);
            var (outcome, escaped, elapsed, hung) = FuzzRunner.Execute(target, input);

            hung.ShouldBeFalse();
            Oracle.Judge(Encoding.UTF8.GetString(input), outcome, escaped, elapsed, expectation).ShouldBeNull();
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }
}
