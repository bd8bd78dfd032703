using Tpd.Fuzz.Tests.Targets;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>Every target by name: the bounded runs and the replay of saved reproducers both start here.</summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Func<IFuzzTarget>> ByName { get; } = new Dictionary<string, Func<IFuzzTarget>>(StringComparer.Ordinal)
    {
        ["config-json"] = () => new HfConfigTarget(),
        ["gpu-catalog"] = () => new GpuCatalogTarget(),
        ["gateway-config"] = () => new GatewayConfigTarget(),
        ["nvidia-smi-xml"] = () => new NvidiaSmiTarget(),
        ["prometheus-text"] = () => new PrometheusTarget(),
    };
}
