using Tpd.Cli;
using Tpd.Cli.Input;
using Tpd.Fuzz.Tests.Mutation;
using Tpd.TestKit;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// A target run through the CLI's command path in-process (TpdCli.Run, as tests/Tpd.Cli.Tests/CliRunner.cs does):
/// the input is written to a file the command reads, and the exit code and both streams are the outcome.
/// Thousands of inputs stay fast because no process is started.
/// </summary>
public abstract class CliTarget : IFuzzTarget, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tpd-fuzz-").FullName;
    private IReadOnlyList<byte[]>? _seeds;

    public abstract string Name { get; }

    public abstract string Extension { get; }

    public abstract IMutator Mutator { get; }

    public IReadOnlyList<byte[]> Seeds => _seeds ??= SeedFiles().Select(File.ReadAllBytes).ToList();

    /// <summary>The file name the command is given; some readers take meaning from it (config.json's folder names the model).</summary>
    protected virtual string FileName => "input" + Extension;

    /// <summary>Seed files, paths under tests/fixtures.</summary>
    protected abstract IEnumerable<string> SeedFiles();

    /// <summary>The command line, given the path of the input file.</summary>
    protected abstract string[] Arguments(string path);

    public Outcome Run(byte[] input)
    {
        var path = Path.Combine(_folder, FileName);
        File.WriteAllBytes(path, input);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = TpdCli.Run(Arguments(path), stdout, stderr, new PhysicalFiles());
        return new Outcome(code, stdout + "\n" + stderr);
    }

    public virtual bool Accepts(Outcome outcome) => outcome.ExitCode is 0 or 1;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static IEnumerable<string> FixtureFiles(string folder, string pattern) => Fixtures.Files(folder, pattern);

    protected static string Fixture(string relative) => Fixtures.PathOf(relative);
}
