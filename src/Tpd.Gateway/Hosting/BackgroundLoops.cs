using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tpd.Gateway.Proxy;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Hosting;

/// <summary>
/// The gateway's timers: health checks (eject and readmit), the judging window (load samples, drain decisions),
/// and probes of drained workers. Each loop re-reads the config every turn, so reloads change their pace.
/// </summary>
internal sealed class BackgroundLoops
{
    private readonly GatewayRuntime _rt;
    private readonly HttpMessageInvoker _http;
    private readonly ILogger _log;

    public BackgroundLoops(GatewayRuntime rt, HttpMessageInvoker http, ILogger log)
    {
        _rt = rt;
        _http = http;
        _log = log;
    }

    public Task[] Start(CancellationToken ct) => [HealthAsync(ct), WindowsAsync(ct), ProbesAsync(ct)];

    private async Task HealthAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var s = _rt.Current;
            await Task.WhenAll(s.Workers.Select(w => CheckAsync(w, s.Config.Health, ct))).ConfigureAwait(false);
            if (!await Delay(s.Config.Health.Interval, ct).ConfigureAwait(false))
                return;
        }
    }

    internal async Task CheckAsync(WorkerState w, Config.HealthConfig health, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(health.Timeout);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(w.Config.Url, health.Path));
            using var response = await _http.SendAsync(message, cts.Token).ConfigureAwait(false);
            var ok = response.IsSuccessStatusCode;
            _rt.HealthResult(w, ok, ok ? null : $"GET {health.Path} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or IOException)
        {
            _rt.HealthResult(w, false, e is OperationCanceledException ? $"GET {health.Path} timed out after {health.Timeout.TotalSeconds:G} s" : $"GET {health.Path} failed: {e.Message}");
        }
    }

    private async Task WindowsAsync(CancellationToken ct)
    {
        // Ten load samples per window: enough to tell a busy worker from an idle one.
        var last = Stopwatch.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            var window = _rt.Current.Config.Drain.Window;
            for (var i = 0; i < 10; i++)
            {
                if (!await Delay(window / 10, ct).ConfigureAwait(false))
                    return;
                _rt.SampleLoad();
            }
            var now = Stopwatch.GetTimestamp();
            _rt.CloseWindow(Stopwatch.GetElapsedTime(last, now).TotalSeconds);
            last = now;
        }
    }

    private async Task ProbesAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var s = _rt.Current;
            var drained = s.Workers.Where(w => (w.Block & WorkerBlock.AutoDrained) != 0 && (w.Block & WorkerBlock.Ejected) == 0).ToList();
            await Task.WhenAll(drained.Select(async w => _rt.ProbeResult(w.Name, await ProbeAsync(w, ct).ConfigureAwait(false)))).ConfigureAwait(false);
            if (!await Delay(s.Config.Drain.ProbeInterval, ct).ConfigureAwait(false))
                return;
        }
    }

    /// <summary>One short streaming completion; the per-stream decode speed it saw ((N - 1) / (t_last - t_first)), or null.</summary>
    internal async Task<double?> ProbeAsync(WorkerState w, CancellationToken ct)
    {
        var drain = _rt.Current.Config.Drain;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            var model = drain.ProbeModel ?? await FirstModelAsync(w, cts.Token).ConfigureAwait(false);
            if (model is null)
                return null;
            var body = JsonSerializer.SerializeToUtf8Bytes(new ProbeRequest(model, "tpd gateway probe", drain.ProbeTokens, drain.ProbeTokens, true, true), GatewayJson.Default.ProbeRequest);
            using var message = new HttpRequestMessage(HttpMethod.Post, w.CompletionsUri) { Content = new ByteArrayContent(body) };
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            if (w.UpstreamAuthorization is { } auth)
                message.Headers.TryAddWithoutValidation("Authorization", auth);
            using var response = await _http.SendAsync(message, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return null;
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int start = 0, end = 0;
                long first = 0, last = 0, tokens = 0;
                while (true)
                {
                    if (end == buffer.Length)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                        if (end == buffer.Length)
                            return null;
                    }
                    var n = await stream.ReadAsync(buffer.AsMemory(end), cts.Token).ConfigureAwait(false);
                    if (n == 0)
                        break;
                    var at = Stopwatch.GetTimestamp();
                    end += n;
                    int length;
                    while ((length = SseScanner.NextEventLength(buffer.AsSpan(start, end - start))) > 0)
                    {
                        if (SseScanner.Classify(buffer.AsSpan(start, length)) == SseKind.Token)
                        {
                            tokens++;
                            if (first == 0)
                                first = at;
                            last = at;
                        }
                        start += length;
                    }
                }
                return tokens >= 2 && last > first ? (tokens - 1) / Stopwatch.GetElapsedTime(first, last).TotalSeconds : null;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            Log.ProbeFailed(_log, w.Name, e.Message);
            return null;
        }
    }

    private async Task<string?> FirstModelAsync(WorkerState w, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, w.ModelsUri);
        if (w.UpstreamAuthorization is { } auth)
            message.Headers.TryAddWithoutValidation("Authorization", auth);
        using var response = await _http.SendAsync(message, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            return null;
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0
            && data[0].TryGetProperty("id", out var id) ? id.GetString() : null;
    }

    private async Task<bool> Delay(TimeSpan span, CancellationToken ct)
    {
        try
        {
            await Task.Delay(span, _rt.Time, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

internal sealed record ProbeRequest(
    [property: System.Text.Json.Serialization.JsonPropertyName("model")] string Model,
    [property: System.Text.Json.Serialization.JsonPropertyName("prompt")] string Prompt,
    [property: System.Text.Json.Serialization.JsonPropertyName("max_tokens")] int MaxTokens,
    [property: System.Text.Json.Serialization.JsonPropertyName("min_tokens")] int MinTokens,
    [property: System.Text.Json.Serialization.JsonPropertyName("ignore_eos")] bool IgnoreEos,
    [property: System.Text.Json.Serialization.JsonPropertyName("stream")] bool Stream);

/// <summary>One worker as the admin API shows it.</summary>
public sealed record AdminWorker(
    string Name,
    string Url,
    double PriceDollarsPerHour,
    double Weight,
    bool Healthy,
    bool DrainedAuto,
    bool DrainedManual,
    int InFlight,
    double OutputTokensPerSecond,
    double TokensPerSecondPerDollar,
    double MeanInFlight,
    double DecodeTokensPerSecond,
    int SlowWindows,
    double? RequiredProbeTokensPerSecond,
    IReadOnlyDictionary<string, string> Labels);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ProbeRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<AdminWorker>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(AdminWorker))]
internal sealed partial class GatewayJson : System.Text.Json.Serialization.JsonSerializerContext;
