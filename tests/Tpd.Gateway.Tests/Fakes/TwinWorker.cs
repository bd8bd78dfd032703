using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;
using Tpd.Twin.Server;

namespace Tpd.Gateway.Tests.Fakes;

/// <summary>
/// `tpd twin` workers behind the gateway (issue 6): real twin servers whose speed comes from the live simulator.
/// A spec's tokens/s sets the decode step (one token per stream per step) and its TTFT the prefill step.
/// </summary>
public sealed class TwinWorkerFactory : IWorkerFactory
{
    public async Task<ITestWorker> StartAsync(WorkerSpec spec)
    {
        var options = new TwinOptions
        {
            ServedModelName = spec.Model,
            Engine = new EngineOptions { KvBlocks = 50_000, MaxNumSeqs = 256, MaxNumBatchedTokens = 8192 },
            Cost = new FixedSteps(spec.TtftMilliseconds / 1e3, 1 / spec.TokensPerSecond),
            MaxModelLen = 8192,
            Seed = spec.Name.Length,
        };
        return new TwinWorker(spec.Name, options, await TwinServer.StartAsync(options));
    }

    private sealed class FixedSteps(double prefill, double decode) : IStepCostModel
    {
        public Duration StepTime(in StepShape shape) => Duration.FromSeconds(shape.PrefillTokens > 0 ? prefill : decode);
    }
}

public sealed class TwinWorker(string name, TwinOptions options, TwinHost host) : ITestWorker
{
    private TwinHost? _host = host;
    private long _completedBefore;

    public string Name { get; } = name;

    public Uri BaseUri { get; } = host.BaseUri;

    public TwinHost Host => _host ?? throw new InvalidOperationException($"twin {Name} is stopped");

    /// <summary>Requests the engine took: finished, running and waiting (a cancelled one counts while it ran).</summary>
    public int Requests => _host is { } h ? (int)(_completedBefore + h.Engine.Stats.Completed + h.Engine.Stats.Running + h.Engine.Stats.Waiting) : (int)_completedBefore;

    public int Cancelled => 0; // the twin does not count aborts separately; tests that need it use the fake

    public int InFlight => _host is { } h ? h.Engine.Stats.Running + h.Engine.Stats.Waiting : 0;

    public void SetSlowdown(double factor) => Host.Faults = Host.Faults with { Slowdown = factor };

    public void FailNext(int count, int status) =>
        throw new NotSupportedException("the twin injects errors by rate (TwinFaults.ErrorRates), not by count; use the fake worker");

    public void CutStreamsAfter(int? tokens) => Host.Faults = Host.Faults with { CutAfterTokens = tokens ?? 8, CutProbability = tokens is null ? 0 : 1 };

    /// <summary>Stops the twin: its listener closes and open streams are aborted, as when the process dies.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _host, null) is { } h)
        {
            _completedBefore += h.Engine.Stats.Completed;
            await h.DisposeAsync();
        }
    }

    public async Task RestartAsync() => _host ??= await TwinServer.StartAsync(options with { Port = BaseUri.Port });

    public async ValueTask DisposeAsync() => await KillAsync();
}
