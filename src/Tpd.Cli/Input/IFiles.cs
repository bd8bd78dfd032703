namespace Tpd.Cli.Input;

/// <summary>The one place the CLI reads files, so commands can be tested with in-memory files.</summary>
public interface IFiles
{
    /// <summary>The text of a file, or null when there is no such file.</summary>
    string? ReadText(string path);

    bool DirectoryExists(string path);
}

public sealed class PhysicalFiles : IFiles
{
    public string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    public bool DirectoryExists(string path) => Directory.Exists(path);
}
