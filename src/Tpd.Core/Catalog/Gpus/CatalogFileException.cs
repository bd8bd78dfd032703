namespace Tpd.Core.Catalog;

/// <summary>
/// A catalog file the caller passed in is wrong. Carries every problem found, not just the first,
/// so that a user fixes the file in one pass (Polly's ValidationHelper and YARP's ConfigValidator do the same).
/// </summary>
public sealed class CatalogFileException : Exception
{
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
        return header + string.Concat(problems.Select(p => "\n  " + p));
    }
}
