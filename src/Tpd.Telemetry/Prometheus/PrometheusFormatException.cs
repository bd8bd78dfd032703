namespace Tpd.Telemetry.Prometheus;

/// <summary>A line that is not Prometheus text format; the message quotes the line number, the line and what was expected.</summary>
public sealed class PrometheusFormatException : Exception
{
    public PrometheusFormatException(string message)
        : base(message)
    {
    }

    public PrometheusFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PrometheusFormatException()
    {
    }
}
