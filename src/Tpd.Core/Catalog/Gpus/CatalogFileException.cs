namespace Tpd.Core.Catalog;

/// <summary>
/// A catalog file the caller passed in is wrong. Carries every problem found, not just the first,
/// so that a user fixes the file in one pass (Polly's ValidationHelper and YARP's ConfigValidator do the same).
/// </summary>
public sealed class CatalogFileException : Exception
{
    /// <summary>Problems spelled out in the message; the rest are counted.</summary>
    public const int MaxListed = 100;

    public CatalogFileException(string sourceName, IReadOnlyList<CatalogProblem> problems)
        : base(Format(sourceName, problems))
    {
        SourceName = sourceName;
        Problems = problems;
    }

    public CatalogFileException()
    {
    }

    public CatalogFileException(string message)
        : base(message)
    {
    }

    public CatalogFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The name the caller gave the file (usually its path).</summary>
    public string SourceName { get; } = "";

    public IReadOnlyList<CatalogProblem> Problems { get; } = [];

    private static string Format(string sourceName, IReadOnlyList<CatalogProblem> problems)
    {
        var header = problems.Count == 1
            ? $"{sourceName}: 1 problem in the GPU catalog file (format: docs/catalog.md):"
            : $"{sourceName}: {problems.Count} problems in the GPU catalog file (format: docs/catalog.md):";
        // Every problem is in Problems; the message stops at a screenful so a hostile file cannot flood the terminal.
        var shown = string.Concat(problems.Take(MaxListed).Select(p => "\n  " + p));
        return problems.Count <= MaxListed ? header + shown : $"{header}{shown}\n  ... and {problems.Count - MaxListed:N0} more";
    }
}
