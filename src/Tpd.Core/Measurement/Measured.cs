namespace Tpd.Core.Measurement;

/// <summary>A run-level number with the formula that produced it, so every report can print both.</summary>
public readonly record struct Measured<T>(T Value, string Formula)
{
    public override string ToString() => $"{Value} ({Formula})";
}
