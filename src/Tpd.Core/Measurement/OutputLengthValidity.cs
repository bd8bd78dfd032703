namespace Tpd.Core.Measurement;

/// <summary>
/// Workload validity: did ok requests produce the output lengths they asked for? A server that ignores
/// ignore_eos or stops early makes a benchmark measure a different workload; the run is flagged.
/// </summary>
public sealed record OutputLengthValidity
{
    /// <summary>Ok requests that stated a requested length.</summary>
    public required int Checked { get; init; }

    public required int Exact { get; init; }
    public required int Shorter { get; init; }
    public required int Longer { get; init; }

    /// <summary>sum N_out / sum requested over the checked requests (1 when none).</summary>
    public required double ActualOverRequested { get; init; }

    public const string Formula = "per ok request with a requested length: N_out = requested (exact), < (shorter), > (longer); ratio = sum N_out / sum requested";

    /// <summary>True when every checked request produced exactly what it asked for.</summary>
    public bool AllExact => Exact == Checked;
}
