namespace Tpd.Telemetry.Doctor;

/// <summary>How bad a finding is; the CLI's exit code is the worst one (see <see cref="DoctorReport.ExitCode"/>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SeverityJsonConverter))]
public enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>Severities on the wire: "info", "warning", "error".</summary>
public sealed class SeverityJsonConverter() : System.Text.Json.Serialization.JsonStringEnumConverter<Severity>(System.Text.Json.JsonNamingPolicy.SnakeCaseLower);

/// <summary>One raw value a finding rests on, named as its source names it ("temperature.gpu_temp" = "93 C").</summary>
public sealed record Evidence(string Name, string Value);

/// <summary>
/// One thing the doctor found. <see cref="Slowdown"/> is the throughput lost, as a fraction, where it can be
/// estimated from the readings; the cost per token rises by 1/(1-s) - 1 (20% slower is 25% dearer: the same
/// GPU-hours buy fewer tokens). <see cref="Fix"/> is a command to run, with any caveat in <see cref="Note"/>.
/// </summary>
public sealed record Finding
{
    /// <summary>Stable id ("gpu.power.cap-while-busy"); docs/doctor.md lists them all.</summary>
    public required string Id { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>What the finding is about: "GPU 0 (NVIDIA A100-SXM4-80GB, 00000000:01:00.0)", "driver", "host", "engine".</summary>
    public required string Subject { get; init; }

    public required string Title { get; init; }
    public required IReadOnlyList<Evidence> Evidence { get; init; }

    /// <summary>Estimated fraction of throughput lost (0..1), or null where no honest estimate exists.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("slowdown_fraction")]
    public double? Slowdown { get; init; }

    public required string Fix { get; init; }
    public string? Note { get; init; }

    /// <summary>Added cost per token as a fraction: 1/(1-s) - 1.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("added_cost_per_token_fraction")]
    public double? AddedCostPerToken => Slowdown is { } s ? CostOfSlowdown.AddedCostPerToken(s) : null;
}

/// <summary>The seed's billing arithmetic: you pay for time, so a slowdown s makes each token cost 1/(1-s) times as much.</summary>
public static class CostOfSlowdown
{
    /// <summary>1/(1-s) - 1 for s in [0, 1); s = 0.2 gives 0.25 ("slows your inference by 20 percent, your cost per token effectively rises by 25 percent").</summary>
    public static double AddedCostPerToken(double slowdown) =>
        slowdown is >= 0 and < 1
            ? (1 / (1 - slowdown)) - 1
            : throw new ArgumentOutOfRangeException(nameof(slowdown), slowdown, $"a slowdown is a fraction in [0, 1), got {slowdown}");
}
