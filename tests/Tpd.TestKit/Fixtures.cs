namespace Tpd.TestKit;

/// <summary>Locates files under tests/fixtures, which travel with the repository (see each folder's PROVENANCE.md).</summary>
public static class Fixtures
{
    /// <summary>The repository root: the nearest ancestor of the test binary holding tpd.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static readonly Lazy<string> Root = new(() => Path.Combine(RepoRoot, "tests", "fixtures"));

    public static string PathOf(string relative)
    {
        var path = Path.Combine(Root.Value, relative);
        return File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new FileNotFoundException($"Fixture '{relative}' not found under {Root.Value}.", path);
    }

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    public static IEnumerable<string> Files(string folder, string pattern) =>
        Directory.EnumerateFiles(PathOf(folder), pattern).Order(StringComparer.Ordinal);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tpd.slnx")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No tpd.slnx above {AppContext.BaseDirectory}.");
    }
}
