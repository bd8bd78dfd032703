namespace Tpd.TestKit;

/// <summary>
/// Golden files for human-facing output. Set TPD_UPDATE_GOLDEN=1 to rewrite them from the actual
/// output, then review the diff before committing.
/// </summary>
public static class Golden
{
    public static void Match(string name, string actual)
    {
        var path = Path.Combine(Fixtures.RepoRoot, "tests", "golden", name);
        var normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("TPD_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, normalized);
            return;
        }

        File.Exists(path).ShouldBeTrue($"golden file {name} is missing; run the tests with TPD_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        normalized.ShouldBe(expected, $"output differs from tests/golden/{name}; if the change is intended, rerun with TPD_UPDATE_GOLDEN=1 and review the diff");
    }
}
