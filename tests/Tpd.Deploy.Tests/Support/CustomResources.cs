using k8s;
using k8s.Models;

namespace Tpd.Deploy.Tests.Support;

// The custom resources deploy/ uses, modelled from their CRDs' schemas (Prometheus Operator's monitoring.coreos.com/v1,
// KEDA's keda.sh/v1alpha1) as far as deploy/ uses them. KubernetesClient has no models for CRDs; with these in the type
// map its strict loader rejects an unknown field here as it does in the built-in kinds. A field the CRD has but these
// lack fails the test too: add it here, from the CRD, when deploy/ starts using it.

public abstract class CustomResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
}

/// <summary>monitoring.coreos.com/v1 ServiceMonitor.</summary>
public sealed class ServiceMonitor : CustomResource
{
    public ServiceMonitorSpec Spec { get; set; } = new();
}

public sealed class ServiceMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();
    public List<ServiceMonitorEndpoint> Endpoints { get; set; } = [];
    public ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }
    public string? JobLabel { get; set; }
}

public sealed class ServiceMonitorNamespaceSelector
{
    public bool? Any { get; set; }
    public List<string>? MatchNames { get; set; }
}

public sealed class ServiceMonitorEndpoint
{
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Interval { get; set; }
    public string? ScrapeTimeout { get; set; }
    public string? Scheme { get; set; }
}

/// <summary>monitoring.coreos.com/v1 PrometheusRule; its spec is a Prometheus rule file.</summary>
public sealed class PrometheusRule : CustomResource
{
    public PrometheusRuleSpec Spec { get; set; } = new();
}

public sealed class PrometheusRuleSpec
{
    public List<RuleGroup> Groups { get; set; } = [];
}

public sealed class RuleGroup
{
    public string Name { get; set; } = "";
    public string? Interval { get; set; }
    public List<Rule> Rules { get; set; } = [];
}

public sealed class Rule
{
    public string? Alert { get; set; }
    public string? Record { get; set; }
    public string Expr { get; set; } = "";
    public string? For { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>keda.sh/v1alpha1 ScaledObject.</summary>
public sealed class ScaledObject : CustomResource
{
    public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();
    public int? MinReplicaCount { get; set; }
    public int? MaxReplicaCount { get; set; }
    public int? IdleReplicaCount { get; set; }
    public int? PollingInterval { get; set; }
    public int? CooldownPeriod { get; set; }
    public List<ScaleTrigger> Triggers { get; set; } = [];
}

public sealed class ScaleTargetRef
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
    public string? EnvSourceContainerName { get; set; }
}

public sealed class ScaleTrigger
{
    public string Type { get; set; } = "";
    public string? Name { get; set; }
    public string? MetricType { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
}
