namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>The text is not `nvidia-smi -q -x` output. The message quotes what was found and how to produce a valid file.</summary>
public sealed class NvidiaSmiFormatException : Exception
{
    public NvidiaSmiFormatException(string message)
        : base(message)
    {
    }

    public NvidiaSmiFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public NvidiaSmiFormatException()
    {
    }
}
