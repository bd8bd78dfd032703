using Tpd.Model.Roofline;
using Tpd.Simulation.Engine;

namespace Tpd.Twin.Server;

/// <summary>What `tpd twin` serves and how. Validated once by <see cref="Validate"/>, every error at once.</summary>
public sealed record TwinOptions
{
    /// <summary>The name clients must send as "model" (vLLM --served-model-name).</summary>
    public required string ServedModelName { get; init; }

    /// <summary>Scheduler and KV cache of the simulated replica, as `tpd simulate` builds them.</summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>Prices every engine step (the roofline of `tpd simulate` for the chosen model, GPU and parallelism).</summary>
    public required IStepCostModel Cost { get; init; }

    /// <summary>
    /// Longest prompt + output a request may ask for (vLLM --max-model-len); requests beyond it get 400 as on vLLM.
    /// Null: what the KV cache can hold for one request.
    /// </summary>
    public int? MaxModelLen { get; init; }

    /// <summary>Address to bind. Default 127.0.0.1: a test double should not be reachable from the network unless asked.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it from the host's BaseUri). `tpd twin` defaults to vLLM's 8000.</summary>
    public int Port { get; init; }

    /// <summary>Simulated seconds per wall second (1: real time; 10: ten times faster).</summary>
    public double TimeFactor { get; init; } = 1;

    /// <summary>Emit every token at once, without the simulator: for measuring how fast a client can go.</summary>
    public bool ZeroDelay { get; init; }

    /// <summary>
    /// Report prompt tokens served from the prefix cache as usage.prompt_tokens_details.cached_tokens (vLLM
    /// --enable-prompt-tokens-details, off by default there too): in the final usage chunk of a stream when there
    /// were hits, and in a non-streamed response (null without hits).
    /// </summary>
    public bool EnablePromptTokensDetails { get; init; }

    /// <summary>Seed of natural output lengths, generated words, ids and fault draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Faults at start; change them later through <see cref="TwinHost.Faults"/> or POST /twin/faults.</summary>
    public TwinFaults Faults { get; init; } = TwinFaults.None;

    /// <summary>Wall clock (tests may pass a fake for the "created" field; timing always uses real waits).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Engine.Validate());
        if (string.IsNullOrWhiteSpace(ServedModelName))
            errors.Add("the served model name is empty; give the name clients send as \"model\", e.g. meta-llama/Llama-3.1-8B-Instruct.");
        if (Port is < 0 or > 65535)
            errors.Add($"port {Port} is not a TCP port; use 1 to 65535, or 0 for any free port.");
        if (!(TimeFactor > 0) || double.IsNaN(TimeFactor))
            errors.Add($"time factor {TimeFactor} must be positive (1 = real time, 10 = ten times faster).");
        if (MaxModelLen is < 2)
            errors.Add($"max model len {MaxModelLen} must be at least 2 tokens.");
        errors.AddRange(Faults.Validate());
        return errors;
    }
}
