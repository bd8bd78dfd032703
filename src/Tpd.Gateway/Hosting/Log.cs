using Microsoft.Extensions.Logging;

namespace Tpd.Gateway.Hosting;

/// <summary>
/// Every log line the gateway writes. None takes a request body, a prompt or a key: only worker names,
/// counts, reasons and config values.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "listen changed from {Old} to {New}; the new address takes effect after a restart")]
    public static partial void ListenChanged(ILogger log, Uri old, Uri @new);

    [LoggerMessage(2, LogLevel.Information, "config reloaded: {Workers} workers, policy {Policy}")]
    public static partial void Reloaded(ILogger log, int workers, string policy);

    [LoggerMessage(3, LogLevel.Error, "config reload rejected, keeping the running config: {Error}")]
    public static partial void ReloadRejected(ILogger log, string error);

    [LoggerMessage(4, LogLevel.Information, "worker {Worker} {Action} by the admin API")]
    public static partial void ManualDrain(ILogger log, string worker, string action);

    [LoggerMessage(5, LogLevel.Warning, "worker {Worker} drained: {Reason}")]
    public static partial void Drained(ILogger log, string worker, string reason);

    [LoggerMessage(6, LogLevel.Information, "worker {Worker} readmitted: {Reason}")]
    public static partial void Readmitted(ILogger log, string worker, string reason);

    [LoggerMessage(7, LogLevel.Information, "worker {Worker} passed its health check and is back in rotation")]
    public static partial void HealthBack(ILogger log, string worker);

    [LoggerMessage(8, LogLevel.Warning, "worker {Worker} ejected after {Failures} failures: {Why}; retried every {Interval} s")]
    public static partial void Ejected(ILogger log, string worker, int failures, string? why, double interval);

    [LoggerMessage(9, LogLevel.Debug, "retrying on another worker after {Worker} failed: {Error}")]
    public static partial void Retrying(ILogger log, string worker, string error);

    [LoggerMessage(10, LogLevel.Information, "gateway listening on {Listen}: pool {Pool}, {Workers} workers, policy {Policy}")]
    public static partial void Started(ILogger log, Uri listen, string pool, int workers, string policy);

    [LoggerMessage(11, LogLevel.Warning, "no API keys configured: /v1 endpoints accept any client inside the allowlist")]
    public static partial void NoKeys(ILogger log);

    [LoggerMessage(12, LogLevel.Debug, "probe of {Worker} failed: {Why}")]
    public static partial void ProbeFailed(ILogger log, string worker, string why);

    [LoggerMessage(13, LogLevel.Warning, "rejected request from {Address}: {Why}")]
    public static partial void Rejected(ILogger log, string? address, string why);
}
