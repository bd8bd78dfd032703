using System.Text.Json;
using k8s.Models;
using Tpd.Deploy.Tests.Support;

namespace Tpd.Deploy.Tests.Manifests;

/// <summary>deploy/ rendered with `kubectl kustomize` (offline) and every object parsed with the Kubernetes models.</summary>
public sealed class RenderTests
{
    public static TheoryData<string> Directories() =>
        ["overlays/twin-demo", "overlays/vllm", "base/gateway", "base/twin", "base/vllm", "base/monitoring"];

    public static TheoryData<string> Overlays() => [.. Overlay.Names];

    [SkippableTheory]
    [MemberData(nameof(Directories))]
    public async Task Every_object_renders_and_parses_strictly(string dir)
    {
        var render = await Rendered.KustomizeAsync(dir);

        render.Objects.ShouldNotBeEmpty();
        foreach (var o in render.Objects)
        {
            var meta = ((IMetadata<V1ObjectMeta>)o).Metadata;
            meta.Name.ShouldNotBeNullOrEmpty($"{dir}: a {o.GetType().Name} without a name");
        }
    }

    [SkippableFact]
    public async Task Strict_parsing_rejects_an_unknown_field_and_an_unknown_kind()
    {
        var yaml = (await Rendered.KustomizeAsync("overlays/twin-demo")).Yaml;

        Should.Throw<Exception>(() => Rendered.Parse(yaml.Replace("\n  replicas: 2\n", "\n  replicaz: 2\n", StringComparison.Ordinal)))
            .Message.ShouldContain("replicaz");
        Should.Throw<Exception>(() => Rendered.Parse(yaml.Replace("maxReplicaCount: 4", "maxReplicas: 4", StringComparison.Ordinal)))
            .Message.ShouldContain("maxReplicas");
        Should.Throw<KeyNotFoundException>(() => Rendered.Parse(yaml.Replace("kind: ScaledObject", "kind: ScaledJob", StringComparison.Ordinal)));
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public async Task Tpd_runs_from_the_pinned_image_as_non_root_with_a_read_only_root(string name)
    {
        var o = await Overlay.LoadAsync(name);
        var expected = $"localhost/tpd:{Repo.CliVersion()}";
        var pods = o.Render.All<V1Deployment>().Select(d => d.Spec.Template.Spec)
            .Concat(o.Render.All<V1StatefulSet>().Select(s => s.Spec.Template.Spec)).ToList();

        var tpdPods = 0;
        foreach (var pod in pods)
        {
            foreach (var c in pod.Containers)
            {
                c.Image.ShouldNotContain("example", Case.Insensitive);
                c.Image.ShouldMatch(@":[0-9A-Za-z][\w.-]*$", $"{c.Name}: image {c.Image} has no pinned tag");
                c.Image.ShouldNotEndWith(":latest");
                if (!c.Image.Contains("/tpd:", StringComparison.Ordinal))
                    continue;
                tpdPods++;
                c.Image.ShouldBe(expected, "deploy/image/build.sh tags the image with src/Tpd.Cli's <Version>");
                c.SecurityContext.ReadOnlyRootFilesystem.ShouldBe(true);
                c.SecurityContext.AllowPrivilegeEscalation.ShouldBe(false);
                c.SecurityContext.Capabilities.Drop.ShouldBe(["ALL"]);
                pod.SecurityContext.RunAsNonRoot.ShouldBe(true);
                pod.SecurityContext.RunAsUser.ShouldBe(1654, "the image's USER");
                var tmp = c.VolumeMounts.Single(m => m.MountPath == "/tmp");
                pod.Volumes.Single(v => v.Name == tmp.Name).EmptyDir.ShouldNotBeNull();
            }
        }
        tpdPods.ShouldBeGreaterThan(0);
        File.ReadAllText(Repo.PathOf("deploy", "image", "Containerfile")).ShouldContain("\nUSER 1654:1654\n");
        File.ReadAllText(Repo.PathOf("deploy", "image", "build.sh")).ShouldContain("${IMAGE:-localhost/tpd}:$version");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public async Task The_gateway_config_matches_its_workers_and_the_autoscaler(string name)
    {
        var o = await Overlay.LoadAsync(name);
        var c = o.Config;

        // max_in_flight = the engine's batch, so requests past it wait in the gateway's queue, which the autoscaler sees.
        var maxNumSeqs = int.Parse(o.WorkerArg("--max-num-seqs"), System.Globalization.CultureInfo.InvariantCulture);
        c.Workers.ShouldAllBe(w => w.MaxInFlight == maxNumSeqs);

        // One worker per replica the autoscaler may start, by the StatefulSet's stable names.
        var port = o.WorkersService.Spec.Ports.Single().Port;
        o.WorkersService.Spec.ClusterIP.ShouldBe("None");
        c.Workers.Select(w => w.Url.ToString()).ShouldBe(
            Enumerable.Range(0, o.Scaler.MaxReplicas).Select(i => $"http://{o.Workers.Metadata.Name}-{i}.{o.WorkersService.Metadata.Name}:{port}/"));

        // The autoscaler computes ceil(load / target): the gateway's desired-replicas formula.
        o.Scaler.TargetPerReplica.ShouldBe(c.Scaling.TargetInFlightPerWorker);
        o.Scaler.Pool.ShouldBe(c.Pool);
        o.Scaler.TargetKind.ShouldBe("StatefulSet");
        o.Scaler.TargetName.ShouldBe(o.Workers.Metadata.Name);

        // The gateway listens on the port its container, probes and Service use.
        var gateway = o.Render.One<V1Deployment>("tpd-gateway").Spec.Template.Spec;
        gateway.Containers.Single().Ports.Single(p => p.Name == "http").ContainerPort.ShouldBe(c.Listen.Port);
        var volume = gateway.Volumes.Single(v => v.ConfigMap is not null);
        volume.ConfigMap.Name.ShouldBe("tpd-gateway");
        gateway.Containers.Single().Args.ShouldContain("/etc/tpd/gateway.yaml");
        gateway.Containers.Single().VolumeMounts.Single(m => m.Name == volume.Name).MountPath.ShouldBe("/etc/tpd");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public async Task Every_ServiceMonitor_selects_a_Service_with_its_port(string name)
    {
        var o = await Overlay.LoadAsync(name);
        var monitors = o.Render.All<ServiceMonitor>().ToList();

        monitors.Count.ShouldBe(2, "the gateway and the workers");
        foreach (var m in monitors)
        {
            var services = o.Render.All<V1Service>().Where(s =>
                m.Spec.Selector.MatchLabels.All(l => s.Metadata.Labels?.TryGetValue(l.Key, out var v) == true && v == l.Value)).ToList();
            services.Count.ShouldBe(1, $"ServiceMonitor {m.Metadata.Name}");
            foreach (var e in m.Spec.Endpoints)
                services[0].Spec.Ports.Select(p => p.Name).ShouldContain(e.Port);
        }
    }

    [SkippableFact]
    public async Task Vllm_workers_have_a_model_cache_and_a_startup_probe()
    {
        var o = await Overlay.LoadAsync("vllm");
        var c = o.Workers.Spec.Template.Spec.Containers.Single();

        c.StartupProbe.HttpGet.Path.ShouldBe("/health");
        // Long enough for a first download and load: the liveness probe only starts after it passes.
        (c.StartupProbe.PeriodSeconds!.Value * c.StartupProbe.FailureThreshold!.Value).ShouldBeGreaterThanOrEqualTo(600);
        var cache = o.Workers.Spec.VolumeClaimTemplates.Single();
        c.VolumeMounts.Single(m => m.Name == cache.Metadata.Name).MountPath.ShouldBe("/root/.cache/huggingface");
        c.Resources.Limits["nvidia.com/gpu"].ToInt32().ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public async Task The_dashboard_and_rules_are_deployed_as_written(string name)
    {
        var o = await Overlay.LoadAsync(name);

        var dashboard = o.Render.One<V1ConfigMap>("tpd-gateway-dashboard");
        dashboard.Metadata.Labels["grafana_dashboard"].ShouldBe("1");
        var json = dashboard.Data["dashboard.json"];
        json.ShouldBe(File.ReadAllText(Repo.PathOf("deploy", "base", "monitoring", "dashboard.json")));
        using var doc = JsonDocument.Parse(json);
        doc.RootElement.GetProperty("uid").GetString().ShouldBe("tpd-gateway");

        o.Render.One<PrometheusRule>("tpd-gateway").Spec.Groups.SelectMany(g => g.Rules).Select(r => r.Alert)
            .ShouldBe(["TpdWorkerTokensPerDollarFalling", "TpdWorkerDrained", "TpdGatewayQueueGrowing", "TpdWorkerErrors"]);
    }
}
