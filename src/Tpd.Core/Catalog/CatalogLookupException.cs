namespace Tpd.Core.Catalog;

/// <summary>A name not in a catalog: the message quotes it, lists the nearest names and says where to see all.</summary>
public sealed class CatalogLookupException : Exception
{
    public CatalogLookupException(string kind, string wanted, IReadOnlyList<string> nearest, string listCommand)
        : base(Format(kind, wanted, nearest, listCommand))
    {
        Kind = kind;
        Wanted = wanted;
        Nearest = nearest;
    }

    public CatalogLookupException()
    {
    }

    public CatalogLookupException(string message)
        : base(message)
    {
    }

    public CatalogLookupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public string Kind { get; } = "";
    public string Wanted { get; } = "";
    public IReadOnlyList<string> Nearest { get; } = [];

    private static string Format(string kind, string wanted, IReadOnlyList<string> nearest, string listCommand) =>
        nearest.Count > 0
            ? $"unknown {kind} '{wanted}'; did you mean {string.Join(", ", nearest.Select(n => $"'{n}'"))}? see `{listCommand}`"
            : $"unknown {kind} '{wanted}'; see `{listCommand}` for the catalog";
}
