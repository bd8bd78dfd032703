namespace Tpd.Telemetry.Host;

/// <summary>A model weight file and its Unix permission bits.</summary>
public sealed record WeightFileMode(string Path, UnixFileMode Mode)
{
    /// <summary>Writable by the group or by everyone: someone other than the owner can alter the tensors.</summary>
    public bool WritableByOthers => (Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>Octal, as chmod takes it ("644").</summary>
    public string Octal => Convert.ToString((int)Mode & 0x1FF, 8);
}
