using Tpd.Core.Measurement;
using Tpd.Simulation.Fleet;
using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Engine;

public class DeterminismTests
{
    private static string Fingerprint(IReadOnlyList<RequestRecord> records) => string.Join(
        "\n",
        records.Select(r => FormattableString.Invariant($"{r.Id} {r.SendSeconds:R} {r.FirstTokenSeconds:R} {r.LastTokenSeconds:R} {r.InputTokens} {r.OutputTokens} {r.CachedInputTokens} {r.Preemptions} {r.Replica} {r.SessionId}")));

    [Theory]
    [InlineData("chat", 2.0)]
    [InlineData("rag", 3.0)]
    [InlineData("agentic", 0.3)]
    public void Same_seed_gives_identical_records(string preset, double rate)
    {
        var a = Sim.Run(WorkloadPreset.Parse(preset).AtRate(rate), 60, replicas: 3, routing: RoutingPolicy.SessionAffinity, seed: 7);
        var b = Sim.Run(WorkloadPreset.Parse(preset).AtRate(rate), 60, replicas: 3, routing: RoutingPolicy.SessionAffinity, seed: 7);

        a.Records.Count.ShouldBeGreaterThan(20);
        Fingerprint(b.Records).ShouldBe(Fingerprint(a.Records));
        b.Result.ShouldBeEquivalentTo(a.Result);
    }

    [Fact]
    public void Another_seed_gives_other_records()
    {
        var a = Sim.Run(WorkloadPreset.Chat.AtRate(2), 60, seed: 7);
        var b = Sim.Run(WorkloadPreset.Chat.AtRate(2), 60, seed: 8);

        Fingerprint(b.Records).ShouldNotBe(Fingerprint(a.Records));
    }

    [Fact]
    public void Same_seed_with_preemption_and_gamma_bursts_gives_identical_records()
    {
        IWorkload Make() => new OpenLoopWorkload(ArrivalProcess.Gamma(20, 3), RequestLengths.Independent(LengthDistribution.LogNormal(300, 0.8), LengthDistribution.LogNormal(200, 0.8, 1500)));
        var a = Sim.Run(Make(), 30, engine: Sim.Engine(kvBlocks: 400), replicas: 2, seed: 3);
        var b = Sim.Run(Make(), 30, engine: Sim.Engine(kvBlocks: 400), replicas: 2, seed: 3);

        a.Result.Preemptions.ShouldBeGreaterThan(0);
        Fingerprint(b.Records).ShouldBe(Fingerprint(a.Records));
    }
}
