namespace Tpd.Deploy.Tests.Support;

/// <summary>Paths in the repository the tests run from (found by walking up to tpd.slnx).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The pinned version of the image: src/Tpd.Cli's &lt;Version&gt;, which deploy/image/build.sh tags it with.</summary>
    public static string CliVersion()
    {
        var csproj = System.Xml.Linq.XDocument.Load(PathOf("src", "Tpd.Cli", "Tpd.Cli.csproj"));
        return csproj.Descendants("Version").Single().Value;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tpd.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no tpd.slnx above {AppContext.BaseDirectory}");
    }
}
