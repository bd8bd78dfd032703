using Tpd.Model.Validation;
using Tpd.Plan.Result;

namespace Tpd.Cli.Rendering;

/// <summary>The published checks of the GPUs in a plan's first rows, so a ranking a GPU's optimistic figures win says so.</summary>
internal static class PlanChecks
{
    public static IReadOnlyList<PublishedCheck> For(PlanResult result, int top) =>
        result.Ranked.Take(top)
            .Select(c => c.Candidate.Gpu)
            .DistinctBy(g => g.Id)
            .Select(g => PublishedCheck.For(g, result.Request.Efficiency))
            .OfType<PublishedCheck>()
            .ToList();
}
