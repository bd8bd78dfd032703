using k8s;
using k8s.Models;

namespace Tpd.Deploy.Tests.Support;

/// <summary>A kustomize directory rendered with `kubectl kustomize` and every object parsed strictly.</summary>
public sealed class Rendered
{
    /// <summary>Custom resources deploy/ uses, added to KubernetesClient's own apiVersion/kind map.</summary>
    public static readonly IReadOnlyDictionary<string, Type> CustomTypes = new Dictionary<string, Type>
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(ScaledObject),
    };

    private Rendered(string dir, string yaml, List<object> objects)
    {
        Dir = dir;
        Yaml = yaml;
        Objects = objects;
    }

    public string Dir { get; }
    public string Yaml { get; }
    public List<object> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T One<T>(string name) where T : IMetadata<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name) ?? throw new ShouldAssertException($"{Dir}: no {typeof(T).Name} named {name}");

    public static async Task<Rendered> KustomizeAsync(string relativeDir)
    {
        var kubectl = Tools.Require("kubectl", "the machine image ships kubectl 1.32 with kustomize 5.5");
        string[] args = ["kustomize", Path.Combine(Repo.Deploy, relativeDir)];
        var r = await Tools.RunAsync(kubectl, args, TimeSpan.FromSeconds(60));
        r.ExitCode.ShouldBe(0, Tools.Describe("kubectl", args, r));
        return new Rendered(relativeDir, r.Stdout, Parse(r.Stdout));
    }

    /// <summary>Strict: an unknown field or an apiVersion/kind without a model throws.</summary>
    public static List<object> Parse(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, CustomTypes.ToDictionary(), strict: true);
}
