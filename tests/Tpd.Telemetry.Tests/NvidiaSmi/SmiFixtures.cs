using Tpd.Telemetry.NvidiaSmi;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.NvidiaSmi;

/// <summary>The nvidia-smi fixtures of tests/fixtures/nvidia-smi (see PROVENANCE.md there), parsed once.</summary>
internal static class SmiFixtures
{
    public static IEnumerable<string> Names =>
        Fixtures.Files("nvidia-smi", "*.xml").Select(Path.GetFileName).OfType<string>();

    public static string Text(string name) => Fixtures.Read(Path.Combine("nvidia-smi", name));

    public static NvidiaSmiReport Report(string name) => NvidiaSmiXmlParser.Parse(Text(name));

    public static GpuSnapshot Gpu(string name, int index = 0) => Report(name).Gpus[index];
}
