using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Tpd.Twin.Engine;
using Tpd.Twin.Metrics;

namespace Tpd.Twin.Server;

/// <summary>A running twin: its address, its live engine, and its faults (settable while it runs). Dispose to stop it.</summary>
public sealed class TwinHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _faultsLock = new();
    private TwinFaults _faults;

    internal TwinHost(WebApplication app, TwinOptions options, LiveEngine engine, int maxModelLen)
    {
        _app = app;
        Options = options;
        Engine = engine;
        MaxModelLen = maxModelLen;
        _faults = options.Faults;
        ApplyStepFaults(options.Faults);
        Metrics = new TwinMetrics(options.ServedModelName);
    }

    /// <summary>Root address, e.g. http://127.0.0.1:8000/ (append "v1/completions").</summary>
    public Uri BaseUri { get; internal set; } = new("http://127.0.0.1/");

    public TwinOptions Options { get; }

    /// <summary>The simulated replica (not started in zero-delay mode).</summary>
    public LiveEngine Engine { get; }

    /// <summary>Longest prompt + output a request may ask for.</summary>
    public int MaxModelLen { get; }

    internal TwinMetrics Metrics { get; }

    /// <summary>Faults in force; setting validates and takes effect for the next request and the next engine step.</summary>
    public TwinFaults Faults
    {
        get
        {
            lock (_faultsLock)
                return _faults;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var errors = value.Validate();
            if (errors.Count > 0)
                throw new ArgumentException("invalid faults:\n  " + string.Join("\n  ", errors), nameof(value));
            lock (_faultsLock)
            {
                _faults = value;
                ApplyStepFaults(value);
            }
        }
    }

    /// <summary>Completes when the host stops (Ctrl-C handling is the caller's).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            // Ends the engine first so streams in flight finish with an error frame instead of hanging the stop.
            Engine.Dispose();
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void ApplyStepFaults(TwinFaults f) => Engine.Faults = new StepFaults(f.Slowdown, f.SpikeProbability, f.SpikeSeconds);
}
