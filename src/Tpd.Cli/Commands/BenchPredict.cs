using System.Text.RegularExpressions;
using Tpd.Cli.Input;
using Tpd.Core.Catalog;
using Tpd.Core.Models;
using Tpd.Model.Replicas;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;

namespace Tpd.Cli.Commands;

/// <summary>The server's hardware and model for `--predict`: simulator settings built as `tpd simulate` builds them.</summary>
internal sealed record PredictSetup(ModelArchitecture Model, GpuSpec Gpu, ServingConfig Serving, SimulationOptions Options, RooflineStepModel Cost)
{
    public string Describe => $"{Model.Name} on {Serving.GpusPerReplica} x {Gpu.Name} (TP{Serving.TensorParallel}{(Serving.PipelineParallel > 1 ? $", PP{Serving.PipelineParallel}" : "")})";
}

internal static partial class BenchPredict
{
    /// <summary>
    /// Reads "GPU[:tp=N][,pp=M]" and the model (<paramref name="modelSpec"/>, else the served model name when the
    /// catalog knows it); null with errors added when either is wrong or the model does not fit.
    /// </summary>
    public static PredictSetup? Read(string spec, string? modelSpec, string? servedModel, IFiles files, InputErrors errors)
    {
        var m = SpecPattern().Match(spec);
        if (!m.Success)
        {
            errors.Add($"--predict '{spec}' is not GPU:tp=N; write e.g. h100-sxm:tp=2 or a100-80gb:tp=4,pp=2 (GPU ids: `tpd catalog gpus`)");
            return null;
        }

        var gpu = CatalogInput.Gpu(GpuCatalog.Default, m.Groups["gpu"].Value, errors);
        int tp = 1, pp = 1;
        foreach (Capture c in m.Groups["opt"].Captures)
        {
            var kv = c.Value.Split('=');
            var value = errors.Int($"--predict {kv[0]}", kv[1], 1, 1024, "use 1, 2, 4 or 8");
            if (kv[0].Equals("tp", StringComparison.OrdinalIgnoreCase))
                tp = value ?? 1;
            else
                pp = value ?? 1;
        }

        var name = modelSpec ?? servedModel;
        if (name is null)
        {
            errors.Add("--predict needs the model: add --predict-model llama-3.1-8b (a catalog name, see `tpd catalog models`, or a config.json)");
            return null;
        }

        ModelArchitecture? model;
        if (modelSpec is null)
        {
            if (!ModelCatalog.Default.TryFindServed(name, out var served))
            {
                errors.Add($"--predict: the catalog does not know the served model '{name}'; add --predict-model with a catalog name (`tpd catalog models`) or a config.json");
                return null;
            }

            name = served.Id;
        }

        model = CatalogInput.Model(name, files, errors);
        if (gpu is null || model is null || errors.Any)
            return null;

        var builder = new ReplicaBuilder(model);
        var setup = new ReplicaSetup { Gpu = gpu, Serving = new ServingConfig { TensorParallel = tp, PipelineParallel = pp } };
        if (builder.Validate(setup) is { Count: > 0 } invalid)
        {
            errors.AddRange(invalid.Select(e => $"--predict: {e}"));
            return null;
        }

        var assembly = builder.Build(setup);
        if (assembly is ReplicaDeficit deficit)
        {
            errors.Add($"--predict: {deficit.Summary}; run `tpd estimate --model {model.Id} --gpu {gpu.Id} --tp {tp}` for what would fit");
            return null;
        }

        var replica = (AssembledReplica)assembly;
        // The horizon only bounds arrivals; a replay of the measured requests ends long before 30 days.
        var options = new SimulationOptions { Engine = EngineOptions.For(replica), Seed = 1, Horizon = Core.Units.Duration.FromHours(24 * 30) };
        return new PredictSetup(model, gpu, setup.Serving, options, replica.StepModel);
    }

    [GeneratedRegex(@"^(?<gpu>[A-Za-z0-9._-]+)(:(?<opt>(tp|pp)=\d+)(,(?<opt>(tp|pp)=\d+))*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpecPattern();
}
