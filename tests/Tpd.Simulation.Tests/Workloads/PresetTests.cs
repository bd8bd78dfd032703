using Tpd.Simulation.Tests.Support;
using Tpd.Simulation.Workloads;

namespace Tpd.Simulation.Tests.Workloads;

public class PresetTests
{
    [Theory]
    [InlineData("chat", 1.0)]
    [InlineData("rag", 2.0)]
    [InlineData("batch", 16)]
    [InlineData("agentic", 0.2)]
    public void Every_preset_runs_and_finishes_all_it_sends(string name, double rate)
    {
        var (result, records) = Sim.Run(WorkloadPreset.Parse(name).AtRate(rate), 60, replicas: 2);

        result.Submitted.ShouldBeGreaterThan(10);
        records.Count.ShouldBe((int)result.Submitted);
        result.Completed.ShouldBe(result.Submitted - result.Rejected);
    }

    [Fact]
    public void Chat_preset_users_are_idle_about_four_fifths_of_the_time()
    {
        var (_, records) = Sim.Run(WorkloadPreset.Chat.AtRate(0.5), 600);

        // Duty cycle per multi-turn session: time generating / (time generating + time thinking).
        var sessions = records.GroupBy(r => r.SessionId).Where(g => g.Count() >= 2).ToList();
        var busy = sessions.Sum(s => s.Sum(r => r.E2eSeconds!.Value));
        var span = sessions.Sum(s => s.Max(r => r.LastTokenSeconds!.Value) - s.Min(r => r.SendSeconds));
        (busy / span).ShouldBeInRange(0.05, 0.35);
    }

    [Fact]
    public void Agentic_prompts_are_mostly_cached()
    {
        var (result, _) = Sim.Run(WorkloadPreset.Agentic.AtRate(0.1), 120);

        result.PrefixCacheHitRate.ShouldBeGreaterThan(0.7);
    }

    [Fact]
    public void An_unknown_preset_names_the_choices()
    {
        Should.Throw<ArgumentException>(() => WorkloadPreset.Parse("chatty")).Message
            .ShouldStartWith("unknown workload preset 'chatty'; choose one of chat, rag, batch, agentic.");
    }

    [Theory]
    [InlineData("chat", "chat")]
    [InlineData("RAG", "rag")]
    [InlineData("Batch", "batch")]
    [InlineData("agentic", "agentic")]
    public void A_name_parses_to_its_one_preset_in_any_letter_case(string text, string name)
    {
        WorkloadPreset.TryParse(text, out var preset).ShouldBeTrue();

        preset.Name.ShouldBe(name);
        preset.ShouldBeSameAs(WorkloadPreset.All.Single(p => p.Name == name));
        WorkloadPreset.Parse(text).ShouldBeSameAs(preset);
    }

    [Fact]
    public void Only_chat_and_agentic_take_users_and_only_batch_counts_clients()
    {
        WorkloadPreset.All.Where(p => p.HasUsers).ShouldBe([WorkloadPreset.Chat, WorkloadPreset.Agentic]);
        WorkloadPreset.All.Where(p => p.IsClosedLoop).ShouldBe([WorkloadPreset.Batch]);
        WorkloadPreset.Batch.AtRate(16.4).ShouldBeOfType<ClosedLoopWorkload>();
        WorkloadPreset.TryParse("chatty", out _).ShouldBeFalse();
        WorkloadPreset.TryParse(null, out _).ShouldBeFalse();
    }
}
