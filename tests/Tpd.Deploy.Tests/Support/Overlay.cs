using k8s.Models;
using Tpd.Gateway.Config;

namespace Tpd.Deploy.Tests.Support;

/// <summary>What an overlay deploys, read from its render: the gateway's config, the workers and the autoscaler.</summary>
public sealed record Overlay(Rendered Render, GatewayConfig Config, V1StatefulSet Workers, V1Service WorkersService, Autoscaler Scaler)
{
    public static readonly string[] Names = ["twin-demo", "vllm"];

    public static async Task<Overlay> LoadAsync(string name)
    {
        var render = await Rendered.KustomizeAsync(Path.Combine("overlays", name));
        var yaml = render.One<V1ConfigMap>("tpd-gateway").Data["gateway.yaml"];
        var parsed = ConfigLoader.Parse(yaml, $"overlays/{name}/gateway.yaml");
        parsed.Errors.ShouldBeEmpty();
        var workers = render.One<V1StatefulSet>("workers");
        var service = render.One<V1Service>(workers.Spec.ServiceName);
        return new Overlay(render, parsed.Config!, workers, service, Autoscaler.From(render));
    }

    public string Namespace => Render.One<V1Deployment>("tpd-gateway").Metadata.NamespaceProperty;

    /// <summary>The value of a worker container's --NAME=VALUE or --NAME VALUE argument.</summary>
    public string WorkerArg(string name)
    {
        var args = Workers.Spec.Template.Spec.Containers.Single().Args;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
                return args[i][(name.Length + 1)..];
            if (args[i] == name && i + 1 < args.Count)
                return args[i + 1];
        }
        throw new ShouldAssertException($"{Render.Dir}: the worker container has no {name} argument: {string.Join(' ', args)}");
    }
}

/// <summary>The HPA (through prometheus-adapter) or the KEDA ScaledObject of an overlay, reduced to what they compute.</summary>
public sealed record Autoscaler(string Kind, string TargetKind, string TargetName, int MaxReplicas, double TargetPerReplica, string Pool, string? KedaQuery)
{
    public static Autoscaler From(Rendered render)
    {
        var hpas = render.All<V2HorizontalPodAutoscaler>().ToList();
        var kedas = render.All<ScaledObject>().ToList();
        (hpas.Count + kedas.Count).ShouldBe(1, $"{render.Dir}: one autoscaler (components/hpa or components/keda), not both");
        if (hpas.Count == 1)
        {
            var h = hpas[0];
            var metric = h.Spec.Metrics.Single().External;
            metric.Metric.Name.ShouldBe("tpd_gateway_pool_load");
            metric.Target.Type.ShouldBe("AverageValue");
            return new Autoscaler("hpa", h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, h.Spec.MaxReplicas,
                metric.Target.AverageValue.ToDouble(), metric.Metric.Selector.MatchLabels["pool"], null);
        }
        var k = kedas[0];
        var trigger = k.Spec.Triggers.Single();
        trigger.Type.ShouldBe("prometheus");
        trigger.MetricType.ShouldBe("AverageValue");
        var query = trigger.Metadata["query"];
        var pool = System.Text.RegularExpressions.Regex.Match(query, "pool=\"([^\"]+)\"").Groups[1].Value;
        return new Autoscaler("keda", k.Spec.ScaleTargetRef.Kind!, k.Spec.ScaleTargetRef.Name, k.Spec.MaxReplicaCount!.Value,
            double.Parse(trigger.Metadata["threshold"], System.Globalization.CultureInfo.InvariantCulture), pool, query);
    }
}
