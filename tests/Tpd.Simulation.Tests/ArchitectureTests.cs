using Tpd.Simulation.Fleet;

namespace Tpd.Simulation.Tests;

public class ArchitectureTests
{
    [Fact]
    public void The_simulation_core_references_only_the_pure_projects_and_the_base_library()
    {
        var references = typeof(Simulator).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.ShouldContain("Tpd.Core");
        references.ShouldContain("Tpd.Model");
        references.ShouldAllBe(name => name == "Tpd.Core" || name == "Tpd.Model" || name.StartsWith("System.", StringComparison.Ordinal) || name == "netstandard");
        references.ShouldNotContain("System.Console");
        references.ShouldNotContain("System.Net.Http");
    }
}
