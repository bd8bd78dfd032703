using System.CommandLine;
using Tpd.Bench.Records;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.Model.Replicas;
using Tpd.Simulation.Engine;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Workloads;

namespace Tpd.Cli.Commands;

/// <summary>
/// `tpd simulate`: a fleet of replicas of one serving setup under a workload, on the discrete-event simulator,
/// each step priced by the same roofline as `tpd estimate`. Metrics follow MEASURE.md, so a simulation and a bench
/// run compare column by column.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IFiles files)
    {
        // The serving setup options are estimate's, validated by the same code.
        var setup = new EstimateOptions();
        var preset = new Option<string>("--preset") { Description = $"Workload: {string.Join(", ", WorkloadPreset.Names)} (docs/simulate.md) [default: chat]" };
        var rate = new Option<string>("--rate") { Description = "Sessions/s (chat, agentic), requests/s (rag) or concurrent clients (batch) [default: 1]" };
        var users = new Option<string>("--users") { Description = "A fixed population of chat or agentic users instead of a rate; prices $/user/month" };
        var replicas = new Option<string>("--replicas") { Description = "Replicas behind the router [default: 1]" };
        var routing = new Option<string>("--routing") { Description = "round-robin, least-outstanding, least-kv, session-affinity [default: least-outstanding]" };
        var duration = new Option<string>("--duration") { Description = "Simulated seconds of arrivals; requests in flight then finish [default: 600]" };
        var seed = new Option<string>("--seed") { Description = "Seed of every random stream: same seed, same records [default: 1]" };
        var slo = new Option<string>("--slo") { Description = "SLOs for goodput, e.g. \"ttft<=2s, tpot<=50ms, p90 e2e<=30s\"" };
        var records = new Option<string>("--records") { Description = "Write every request as a JSON line to this file, as it finishes" };
        var command = new Command("simulate", "Simulate a fleet serving a workload: latency percentiles, goodput, utilisation, preemptions and cost.");
        foreach (var o in new Option[] { setup.Model, setup.Gpu, setup.Catalog, setup.Tp, setup.Pp, setup.Weights, setup.Kv, setup.GpuMemoryUtilization, setup.BlockSize, setup.MaxNumSeqs, setup.MaxBatchedTokens, setup.Price, setup.Tier, setup.Mfu, setup.Mbu, setup.StepOverheadMs })
            command.Options.Add(o);
        foreach (var o in new Option[] { preset, rate, users, replicas, routing, duration, seed, slo, records, setup.Json })
            command.Options.Add(o);

        command.SetAction(r =>
        {
            var errors = new InputErrors();
            var request = EstimateInput.Read(r, setup, files, errors);
            var workloadPreset = PresetInput.Read(r.GetValue(preset), errors);
            var rateValue = errors.Double("--rate", r.GetValue(rate), 0.0001, 1_000_000, "use sessions or requests per second such as 2");
            var userCount = errors.Int("--users", r.GetValue(users), 1, 100_000_000, "use a number of users such as 500");
            if (userCount is not null && rateValue is not null)
                errors.Add("give --rate or --users, not both");
            if (userCount is not null && !workloadPreset.HasUsers)
                errors.Add($"--users applies to the chat and agentic presets; '{workloadPreset}' takes --rate");
            var replicaCount = errors.Int("--replicas", r.GetValue(replicas), 1, 100_000, "use replicas such as 4") ?? 1;
            var policy = ParseRouting(r.GetValue(routing), errors);
            var seconds = errors.Double("--duration", r.GetValue(duration), 1, 30 * 86_400, "use simulated seconds such as 600") ?? 600;
            var seedValue = errors.Int("--seed", r.GetValue(seed), 0, int.MaxValue, "use a whole number") ?? 1;
            var sloSpec = errors.Slo("--slo", r.GetValue(slo));

            if (request is null || errors.Any)
                return ErrorOutput.Write(stderr, errors.All);

            var assembly = new ReplicaBuilder(request.Model).Build(request.Replica);
            if (assembly is ReplicaDeficit deficit)
                return ErrorOutput.Write(stderr, [deficit.SummaryWithAdvice]);

            var replica = (AssembledReplica)assembly;
            var options = new SimulationOptions { Engine = EngineOptions.For(replica), Replicas = replicaCount, Routing = policy, Seed = seedValue, Horizon = Duration.FromSeconds(seconds) };
            var invalid = options.Validate();
            if (invalid.Count > 0)
                return ErrorOutput.Write(stderr, invalid);

            var workload = userCount is { } u ? workloadPreset.ForUsers(u) : workloadPreset.AtRate(rateValue ?? 1);
            var sink = new RecordSink(r.GetValue(records));
            SimulationResult result;
            try
            {
                result = Simulator.Run(options, replica.StepModel, workload, sink);
            }
            finally
            {
                sink.Dispose();
            }

            var gpus = request.Serving.GpusPerReplica * replicaCount;
            var fleetPrice = request.ResolvedPrice.PerGpu * gpus;
            var summary = RunSummary.Of(sink.Records, sloSpec, new CostInputs { Price = fleetPrice, Power = request.Gpu.Tdp * gpus });
            var view = new SimulationView(request, workloadPreset.Name, rateValue, userCount, replicaCount, policy, seconds, seedValue, result, summary, r.GetValue(slo), fleetPrice);
            if (r.GetValue(setup.Json))
                SimulationJson.Write(stdout, view);
            else
                SimulationReport.Write(Consoles.For(stdout), view);
            return 0;
        });
        return command;
    }

    private static RoutingPolicy ParseRouting(string? text, InputErrors errors)
    {
        switch (text?.ToLowerInvariant())
        {
            case null or "least-outstanding": return RoutingPolicy.LeastOutstanding;
            case "round-robin": return RoutingPolicy.RoundRobin;
            case "least-kv": return RoutingPolicy.LeastKvUsage;
            case "session-affinity": return RoutingPolicy.SessionAffinity;
            default:
                errors.Add($"--routing '{text}' is not a routing policy; use round-robin, least-outstanding, least-kv or session-affinity");
                return RoutingPolicy.LeastOutstanding;
        }
    }

    /// <summary>Keeps records for the summary and, when asked, writes each as a JSON line as it finishes.</summary>
    private sealed class RecordSink(string? path) : IRecordSink, IDisposable
    {
        private readonly FileStream? _file = path is null ? null : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);

        public List<RequestRecord> Records { get; } = [];

        public void Add(RequestRecord record)
        {
            Records.Add(record);
            if (_file is null)
                return;
            _file.Write(JsonlRecordWriter.Serialize(record));
            _file.WriteByte((byte)'\n');
            // Flush in batches: per-record flushes would dominate a million-request run; a crash loses at most 1,000.
            if (Records.Count % 1000 == 0)
                _file.Flush();
        }

        public void Dispose() => _file?.Dispose();
    }
}
