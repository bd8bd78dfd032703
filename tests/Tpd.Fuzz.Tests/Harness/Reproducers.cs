using System.Security.Cryptography;
using Tpd.TestKit;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// tests/fixtures/reliability/found: every input the harness has failed on, as &lt;target&gt;-&lt;hash&gt;&lt;ext&gt;,
/// with its expectation (if any) in a .expect file beside it. FoundReproducerTests replays them all.
/// </summary>
public static class Reproducers
{
    public const string Folder = "reliability/found";

    public static string Directory => Path.Combine(Fixtures.RepoRoot, "tests", "fixtures", "reliability", "found");

    /// <summary>Saves a failing input under its content hash (the same input is kept once) and returns the path.</summary>
    public static string Save(IFuzzTarget target, byte[] input, Expectation? expectation, string failure)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var hash = Convert.ToHexStringLower(SHA256.HashData(input))[..12];
        var path = Path.Combine(Directory, $"{target.Name}-{hash}{target.Extension}");
        File.WriteAllBytes(path, input);
        var expect = expectation?.Serialize() ?? "";
        File.WriteAllText(path + ".expect", $"{expect}\n# found by the fuzz harness: {failure.ReplaceLineEndings(" ")}\n");
        return path;
    }

    /// <summary>Every saved reproducer: its target name, path and expectation.</summary>
    public static IEnumerable<(string Target, string Path, Expectation? Expect)> All()
    {
        if (!System.IO.Directory.Exists(Directory))
            yield break;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".expect", StringComparison.Ordinal) || name.EndsWith(".md", StringComparison.Ordinal))
                continue;
            var expectFile = path + ".expect";
            var expect = File.Exists(expectFile) ? Expectation.Parse(File.ReadLines(expectFile).FirstOrDefault()) : null;
            yield return (name[..name.LastIndexOf('-')], path, expect);
        }
    }
}
