using Tpd.Core.Measurement;
using Tpd.Core.Units;
using Tpd.Model.Estimate;
using Tpd.Simulation.Fleet;

namespace Tpd.Cli.Rendering;

/// <summary>What a simulation report shows: the setup, the engine figures and the MEASURE.md summary.</summary>
internal sealed record SimulationView(
    EstimateRequest Request,
    string Preset,
    double? Rate,
    int? Users,
    int Replicas,
    RoutingPolicy Routing,
    double DurationSeconds,
    int Seed,
    SimulationResult Result,
    RunSummary Summary,
    string? SloText,
    MoneyRate FleetPrice)
{
    public int Gpus => Request.Serving.GpusPerReplica * Replicas;
    public double MeanUtilization => Result.Replicas.Count == 0 ? 0 : Result.Replicas.Average(r => r.Utilization);
    public double MeanKvUsage => Result.Replicas.Count == 0 ? 0 : Result.Replicas.Average(r => r.MeanKvUsage);
    public double PeakKvUsage => Result.Replicas.Count == 0 ? 0 : Result.Replicas.Max(r => r.PeakKvUsage);
    public double? DollarsPerUserMonth => Users is { } u ? FleetPrice.DollarsPerHour * Duration.Month.Hours / u : null;
}
