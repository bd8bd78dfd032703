namespace Tpd.Core.Catalog;

/// <summary>One thing wrong in a catalog file: where (a JSON path such as "$.gpus[2].tdp_watts"), what, and how to fix it.</summary>
public sealed record CatalogProblem(string Path, string Problem, string Fix)
{
    public override string ToString() => $"{Path}: {Problem}; {Fix}";
}
