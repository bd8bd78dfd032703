using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Tests;

public class DependencyRuleTests
{
    [Fact]
    public void Telemetry_references_core_but_no_console_cli_web_or_model_library()
    {
        var refs = typeof(NvidiaSmiXmlParser).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        refs.ShouldContain("Tpd.Core");
        refs.ShouldNotContain(n => n.StartsWith("Spectre", StringComparison.Ordinal)
            || n.StartsWith("System.CommandLine", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || n == "Tpd.Model" || n == "Tpd.Cli");
    }
}
