using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Tpd.Bench.Load;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Http;

/// <summary>
/// Streams requests to an OpenAI-compatible endpoint and times them on the run clock. One HttpClient over a
/// SocketsHttpHandler with no connection limit, so the load generator, not the pool, decides concurrency;
/// headers are read as soon as they arrive (ResponseHeadersRead) and the body as a stream.
/// </summary>
public sealed class OpenAiStreamClient : IRequestSender, IDisposable
{
    private const int ErrorBodyLimit = 4096;

    private readonly HttpClient _http;
    private readonly EndpointOptions _endpoint;
    private readonly RunClock _clock;
    private readonly List<string> _warnings = [];
    private readonly Lock _warningsLock = new();

    public OpenAiStreamClient(EndpointOptions endpoint, RunClock clock, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(clock);
        _endpoint = endpoint;
        _clock = clock;
        _http = new HttpClient(handler ?? CreateHandler(endpoint), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>What the server supports; set after probing (default: everything).</summary>
    public ServerCapabilities Capabilities { get; set; } = ServerCapabilities.All;

    /// <summary>Whether to keep ITL gaps on records (they dominate the size of a JSONL line at long outputs).</summary>
    public bool KeepGaps { get; init; } = true;

    /// <summary>Warnings gathered from requests so far (the first of each kind).</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warningsLock)
                return [.. _warnings];
        }
    }

    public static SocketsHttpHandler CreateHandler(EndpointOptions endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new SocketsHttpHandler
        {
            // The load generator sets concurrency; the pool must never queue requests behind it.
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = endpoint.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,

            // A proxy between bench and the server would be measured too.
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            EnableMultipleHttp2Connections = true,
        };
    }

    public Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduledSeconds, bool warmup, CancellationToken cancellationToken) =>
        SendAsync(request, id, scheduledSeconds, warmup, Capabilities, cancellationToken);

    /// <summary>Sends with explicit capabilities (the probe tries features one at a time).</summary>
    public async Task<RequestRecord> SendAsync(BenchRequest request, long id, double scheduledSeconds, bool warmup, ServerCapabilities capabilities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new RequestRecordBuilder(id, scheduledSeconds)
        {
            KnownInputTokens = request.PromptTokens,
            RequestedOutputTokens = request.MaxTokens,
            Warmup = warmup,
            KeepGaps = KeepGaps,
        };

        // Serialize before t_send so that JSON writing is not timed.
        var body = RequestBody.Write(request, _endpoint, capabilities);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint.RequestUri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (_endpoint.ApiKey is { } key)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var timeout = new CancellationTokenSource(_endpoint.RequestTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            builder.Sent(_clock.NowSeconds());
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
                builder.HttpError(_clock.NowSeconds(), status, text);
            }
            else if (response.Content.Headers.ContentType?.MediaType is { } media && !media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                // A server that ignores "stream": true answers with one JSON body: nothing to time per token.
                builder.Headers(_clock.NowSeconds(), status);
                var text = await ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
                builder.Failed(_clock.NowSeconds(), "not_streaming", $"expected text/event-stream, got {media}: {text}", midStream: false);
            }
            else
            {
                builder.Headers(_clock.NowSeconds(), status);
                using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                await SseRequestReader.ReadAsync(stream, builder, _clock, timeout.Token, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            builder.Failed(_clock.NowSeconds(), "cancelled", "the run was stopped while this request was in flight", midStream: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            builder.Failed(_clock.NowSeconds(), "timeout", $"no complete response within {_endpoint.RequestTimeout.TotalSeconds} s", midStream: false);
        }
        catch (HttpRequestException ex)
        {
            builder.Failed(_clock.NowSeconds(), ClassOf(ex), ex.Message, midStream: false);
        }

        var record = builder.Build();
        if (request.SessionId is not null || request.Turn is not null)
            record = record with { SessionId = request.SessionId, Turn = request.Turn };
        foreach (var w in builder.Warnings)
            AddWarning(w);
        return record;
    }

    private void AddWarning(string warning)
    {
        // Keep the first warning of each kind: "request 17: no usage chunk ..." repeats for every request.
        var kind = warning.Contains(": ", StringComparison.Ordinal) ? warning[(warning.IndexOf(": ", StringComparison.Ordinal) + 2)..] : warning;
        lock (_warningsLock)
        {
            if (!_warnings.Exists(w => w.EndsWith(kind, StringComparison.Ordinal)))
                _warnings.Add(warning);
        }
    }

    private static string ClassOf(HttpRequestException ex) =>
        ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection_refused"
        : ex.HttpRequestError == HttpRequestError.ResponseEnded ? "connection_reset"
        : "connection_error";

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[ErrorBodyLimit];
                var total = 0;
                int n;
                while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
                    total += n;
                return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return $"(body unreadable: {ex.Message})";
        }
    }

    public void Dispose() => _http.Dispose();
}
