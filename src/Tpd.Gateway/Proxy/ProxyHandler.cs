using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tpd.Gateway.Config;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Proxy;

/// <summary>
/// The hot path: reads the body once, routes, sends upstream with response headers first, and relays SSE events
/// as they arrive (one flush per upstream read), metering as it goes. Failures before the first byte reach the
/// client are retried on another worker; later ones end the stream with an error frame and [DONE].
/// </summary>
internal sealed class ProxyHandler
{
    private const int ReadBufferSize = 16 * 1024;
    private readonly HttpMessageInvoker _http;
    private readonly GatewayRuntime _rt;
    private readonly ILogger _log;

    public ProxyHandler(HttpMessageInvoker http, GatewayRuntime runtime, ILogger log)
    {
        _http = http;
        _rt = runtime;
        _log = log;
    }

    private enum Attempt
    {
        Finished,
        Retry,
    }

    /// <summary>Per-request timing, all in Stopwatch ticks.</summary>
    private sealed class Timing
    {
        public long Arrival;
        public long QueueTicks;
        public long SendStart;
        public bool OverheadRecorded;
    }

    public async Task HandleAsync(HttpContext ctx, bool chat)
    {
        var timing = new Timing { Arrival = Stopwatch.GetTimestamp() };
        _rt.Counters.Receive();
        var outcome = await HandleCoreAsync(ctx, chat, timing).ConfigureAwait(false);
        _rt.Counters.Finish(outcome);
        if (outcome == Outcome.Ok)
            _rt.Counters.E2e.Observe(Stopwatch.GetElapsedTime(timing.Arrival).TotalSeconds);
    }

    private async Task<Outcome> HandleCoreAsync(HttpContext ctx, bool chat, Timing timing)
    {
        var snapshot = _rt.Current;
        var config = snapshot.Config;
        var limit = config.Limits.MaxBodyBytes;
        var request = ctx.Request;
        if (request.ContentLength > limit)
            return await TooLarge(ctx, limit).ConfigureAwait(false);

        byte[]? rented = null;
        try
        {
            var (buffer, length, tooLarge) = await ReadBodyAsync(request, limit, ctx.RequestAborted).ConfigureAwait(false);
            rented = buffer;
            if (tooLarge)
                return await TooLarge(ctx, limit).ConfigureAwait(false);

            var body = new ReadOnlyMemory<byte>(buffer, 0, length);
            var wantPrefix = config.Routing.Policy == BalancePolicy.Affinity && config.Routing.AffinitySources.Contains(AffinitySource.Prefix);
            var info = RequestInfo.Read(body.Span, wantPrefix, config.Routing.AffinityPrefixChars);
            if (!info.Valid)
            {
                await ErrorBodies.WriteAsync(ctx.Response, 400, "request body is not a JSON object", "invalid_request_error").ConfigureAwait(false);
                return Outcome.BadRequest;
            }

            var upstreamBody = UsageForcing.Apply(body, info);
            var header = config.Routing.Policy == BalancePolicy.Affinity ? request.Headers[config.Routing.AffinityHeader].ToString() : null;
            var key = info.RouteKey(config.Routing, length, header);
            return await RouteAsync(ctx, chat, upstreamBody, info, key, timing).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await TooLarge(ctx, limit).ConfigureAwait(false);
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            return Outcome.ClientCancelled;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<Outcome> RouteAsync(HttpContext ctx, bool chat, ReadOnlyMemory<byte> body, RequestInfo info, RouteKey key, Timing timing)
    {
        ulong tried = 0;
        long place = 0; // 0 until a first attempt fails: then the place in line it was admitted with
        var attempts = 0;
        var lastError = "no worker answered";
        try
        {
            while (true)
            {
                var config = _rt.Current.Config;
                var limits = config.Limits;
                var pending = _rt.Admission.AdmitAsync(key, tried, place, timing.Arrival, limits.QueueSize, limits.QueueTimeout, _rt.Time, ctx.RequestAborted);
                var admission = pending.IsCompletedSuccessfully ? pending.Result : await QueuedAsync(pending, timing).ConfigureAwait(false);
                switch (admission.Status)
                {
                    case AdmitStatus.NoWorker when attempts > 0:
                        await ErrorBodies.WriteAsync(ctx.Response, 502, $"all workers tried failed ({attempts} attempts): {lastError}", "upstream_error").ConfigureAwait(false);
                        return Outcome.UpstreamFailed;
                    case AdmitStatus.NoWorker:
                        await ErrorBodies.WriteAsync(ctx.Response, 503, "no healthy, undrained worker is available", "service_unavailable", limits.RetryAfterSeconds).ConfigureAwait(false);
                        return Outcome.NoWorker;
                    case AdmitStatus.QueueFull:
                        return await Overloaded(ctx, config, "the gateway queue is full").ConfigureAwait(false);
                    case AdmitStatus.TimedOut:
                        return await Overloaded(ctx, config, "every worker is at max_in_flight and the wait for a slot timed out").ConfigureAwait(false);
                }

                var worker = admission.Worker!;
                Attempt result;
                Outcome outcome;
                try
                {
                    (result, outcome, lastError) = await TryWorkerAsync(ctx, chat, worker, body, info, timing).ConfigureAwait(false);
                }
                finally
                {
                    _rt.Admission.Release(worker, key.EstimatedTokens);
                }
                if (result == Attempt.Finished)
                    return outcome;

                // A retry keeps its place: the one it queued with, or (admitted without waiting) its first send.
                if (place == 0)
                    place = admission.Place != 0 ? admission.Place : timing.SendStart;
                var index = Array.IndexOf(_rt.Current.Workers, worker);
                if (index is >= 0 and < 64)
                    tried |= 1UL << index;
                attempts++;
                if (attempts > config.Limits.MaxRetries)
                {
                    await ErrorBodies.WriteAsync(ctx.Response, 502, $"worker failed and {config.Limits.MaxRetries} retries were used: {lastError}", "upstream_error").ConfigureAwait(false);
                    return Outcome.UpstreamFailed;
                }
                _rt.Counters.Retry();
                Log.Retrying(_log, worker.Name, lastError);
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return Outcome.ClientCancelled;
        }
    }

    /// <summary>The request waits in the admission queue; the wait is left out of the gateway's overhead figure.</summary>
    private static async Task<Admission> QueuedAsync(ValueTask<Admission> pending, Timing timing)
    {
        var waitStart = Stopwatch.GetTimestamp();
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            timing.QueueTicks += Stopwatch.GetTimestamp() - waitStart;
        }
    }

    private async Task<(Attempt, Outcome, string)> TryWorkerAsync(HttpContext ctx, bool chat, WorkerState worker, ReadOnlyMemory<byte> body, RequestInfo info, Timing timing)
    {
        var config = _rt.Current.Config;
        using var message = new HttpRequestMessage(HttpMethod.Post, chat ? worker.ChatUri : worker.CompletionsUri)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (worker.UpstreamAuthorization is { } auth)
            message.Headers.TryAddWithoutValidation("Authorization", auth);
        if (ctx.Request.Headers.TryGetValue("x-request-id", out var requestId))
            message.Headers.TryAddWithoutValidation("x-request-id", requestId.ToString());

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        cts.CancelAfter(config.Limits.FirstByteTimeout);
        timing.SendStart = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or HttpRequestException or IOException)
        {
            worker.Meter.Finish(Outcome.ClientCancelled);
            return (Attempt.Finished, Outcome.ClientCancelled, "");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            var why = e is OperationCanceledException ? $"no response headers within {config.Limits.FirstByteTimeout.TotalSeconds:G} s" : $"connection failed ({Describe(e)})";
            worker.Meter.FailedAttempt();
            _rt.HealthResult(worker, false, why);
            return (Attempt.Retry, Outcome.UpstreamFailed, $"{worker.Name}: {why}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status == 429 || status >= 500)
            {
                worker.Meter.FailedAttempt();
                return (Attempt.Retry, Outcome.UpstreamFailed, $"{worker.Name}: HTTP {status}");
            }
            // Headers are here: a stream may run for minutes, so from now on only silence counts (reset on every read).
            cts.CancelAfter(config.Limits.StreamIdleTimeout);
            if (status >= 400)
            {
                await RelayWholeAsync(ctx, worker, response, cts.Token).ConfigureAwait(false);
                worker.Meter.Finish(Outcome.UpstreamClientError);
                return (Attempt.Finished, Outcome.UpstreamClientError, "");
            }
            if (info.Stream && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
                return await StreamAsync(ctx, worker, response, info, timing, cts, config.Limits.StreamIdleTimeout).ConfigureAwait(false);

            var bytes = await RelayWholeAsync(ctx, worker, response, cts.Token).ConfigureAwait(false);
            var (prompt, completion) = SseScanner.Usage(bytes);
            if (completion > 0)
                worker.Meter.AddOutputTokens(completion);
            if (prompt > 0)
                worker.Meter.AddInputTokens(prompt);
            worker.Meter.E2e.Observe(Stopwatch.GetElapsedTime(timing.SendStart).TotalSeconds);
            RecordOverhead(timing, 0);
            worker.Meter.Finish(Outcome.Ok);
            return (Attempt.Finished, Outcome.Ok, "");
        }
    }

    private static async Task<byte[]> RelayWholeAsync(HttpContext ctx, WorkerState worker, HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var r = ctx.Response;
        r.StatusCode = (int)response.StatusCode;
        r.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        r.ContentLength = bytes.Length;
        r.Headers["x-tpd-worker"] = worker.Name;
        await r.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        return bytes;
    }

    private async Task<(Attempt, Outcome, string)> StreamAsync(HttpContext ctx, WorkerState worker, HttpResponseMessage response, RequestInfo info, Timing timing, CancellationTokenSource cts, TimeSpan idle)
    {
        var ct = cts.Token;
        var meter = worker.Meter;
        var strip = !info.IncludeUsage;
        var output = ctx.Response.BodyWriter;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        int start = 0, end = 0;
        var started = false;
        var done = false;
        var sawError = false;
        long liveTokens = 0, firstToken = 0, lastToken = 0;
        long usagePrompt = -1, usageCompletion = -1;
        try
        {
            var upstream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            while (!done)
            {
                if (end == buffer.Length)
                    buffer = MakeRoom(buffer, ref start, ref end);
                int n;
                try
                {
                    n = await upstream.ReadAsync(buffer.AsMemory(end), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ctx.RequestAborted.IsCancellationRequested && e is IOException or HttpRequestException or OperationCanceledException)
                {
                    if (!started)
                    {
                        meter.FailedAttempt();
                        _rt.HealthResult(worker, false, "stream broke before the first event");
                        return (Attempt.Retry, Outcome.UpstreamFailed, $"{worker.Name}: stream broke before the first event ({Describe(e)})");
                    }
                    await EndWithErrorAsync(output, $"worker {worker.Name} failed mid-stream ({Describe(e)})", ctx.RequestAborted).ConfigureAwait(false);
                    meter.Finish(Outcome.StreamError);
                    return (Attempt.Finished, Outcome.StreamError, "");
                }
                if (n == 0)
                    break;
                var readAt = Stopwatch.GetTimestamp();
                cts.CancelAfter(idle);
                end += n;

                var pos = start;
                var writeFrom = start;
                while (pos < end)
                {
                    var length = SseScanner.NextEventLength(buffer.AsSpan(pos, end - pos));
                    if (length < 0)
                        break;
                    var ev = buffer.AsSpan(pos, length);
                    switch (SseScanner.Classify(ev))
                    {
                        case SseKind.Token:
                            liveTokens++;
                            meter.AddOutputTokens(1);
                            if (firstToken == 0)
                                firstToken = readAt;
                            lastToken = readAt;
                            break;
                        case SseKind.UsageOnly:
                            (usagePrompt, usageCompletion) = SseScanner.Usage(SseScanner.Data(ev));
                            if (strip)
                            {
                                if (pos > writeFrom)
                                    started = Write(ctx, worker, output, buffer.AsSpan(writeFrom, pos - writeFrom), started);
                                writeFrom = pos + length;
                            }
                            break;
                        case SseKind.Error:
                            sawError = true;
                            break;
                        case SseKind.Done:
                            done = true;
                            break;
                    }
                    pos += length;
                }
                if (pos > writeFrom)
                    started = Write(ctx, worker, output, buffer.AsSpan(writeFrom, pos - writeFrom), started);
                if (started)
                {
                    var flush = await output.FlushAsync(ct).ConfigureAwait(false);
                    if (!timing.OverheadRecorded)
                        RecordOverhead(timing, Stopwatch.GetTimestamp() - readAt);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        meter.Finish(Outcome.ClientCancelled);
                        return (Attempt.Finished, Outcome.ClientCancelled, "");
                    }
                }
                start = pos;
                if (start == end)
                    start = end = 0;
            }

            if (usageCompletion >= 0)
                meter.AddOutputTokens(usageCompletion - liveTokens);
            if (usagePrompt > 0)
                meter.AddInputTokens(usagePrompt);
            var tokens = usageCompletion >= 0 ? usageCompletion : liveTokens;
            if (firstToken != 0)
            {
                var ttft = Stopwatch.GetElapsedTime(timing.SendStart, firstToken).TotalSeconds;
                meter.ObserveStream(ttft, Stopwatch.GetElapsedTime(timing.SendStart, lastToken).TotalSeconds, tokens);
                _rt.Counters.Ttft.Observe(Stopwatch.GetElapsedTime(timing.Arrival, firstToken).TotalSeconds);
            }

            if (!done)
            {
                if (!started)
                {
                    meter.FailedAttempt();
                    return (Attempt.Retry, Outcome.UpstreamFailed, $"{worker.Name}: stream ended before any event");
                }
                await EndWithErrorAsync(output, $"worker {worker.Name} ended the stream before [DONE]", ctx.RequestAborted).ConfigureAwait(false);
                meter.Finish(Outcome.StreamError);
                return (Attempt.Finished, Outcome.StreamError, "");
            }
            var outcome = sawError ? Outcome.StreamError : Outcome.Ok;
            meter.Finish(outcome);
            return (Attempt.Finished, outcome, "");
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
        {
            // The client left: disposing the response (by the caller) closes the upstream connection, which cancels the request there.
            meter.Finish(Outcome.ClientCancelled);
            return (Attempt.Finished, Outcome.ClientCancelled, "");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool Write(HttpContext ctx, WorkerState worker, PipeWriter output, ReadOnlySpan<byte> bytes, bool started)
    {
        if (!started)
        {
            var r = ctx.Response;
            r.StatusCode = 200;
            r.ContentType = "text/event-stream";
            r.Headers.CacheControl = "no-cache";
            r.Headers["x-tpd-worker"] = worker.Name;
            // Kestrel writes chunks as they are flushed; this turns off any response buffering a middleware might add.
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }
        output.Write(bytes);
        return true;
    }

    private static async Task EndWithErrorAsync(PipeWriter output, string message, CancellationToken ct)
    {
        output.Write(ErrorBodies.StreamFrame(message, 502));
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    private static byte[] MakeRoom(byte[] buffer, ref int start, ref int end)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            return buffer;
        }
        // One event larger than the buffer (a huge tool call): grow.
        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        Buffer.BlockCopy(buffer, 0, bigger, 0, end);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    /// <summary>Gateway overhead: arrival to upstream send (routing, parsing, not queueing) plus first upstream read to client flush.</summary>
    private void RecordOverhead(Timing timing, long relayTicks)
    {
        timing.OverheadRecorded = true;
        var before = timing.SendStart - timing.Arrival - timing.QueueTicks;
        _rt.Counters.Overhead.Observe((double)(before + relayTicks) / Stopwatch.Frequency);
    }

    private static async Task<(byte[] Buffer, int Length, bool TooLarge)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var size = request.ContentLength is { } cl ? (int)Math.Min(cl, limit) : 4096;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 256));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                    return (buffer, length, true);
                var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            var n = await request.Body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (n == 0)
                return (buffer, length, length > limit);
            length += n;
            if (length > limit)
                return (buffer, length, true);
        }
    }

    private static async Task<Outcome> TooLarge(HttpContext ctx, long limit)
    {
        await ErrorBodies.WriteAsync(ctx.Response, 413, $"request body is larger than limits.max_body_bytes ({limit} bytes)", "invalid_request_error").ConfigureAwait(false);
        return Outcome.TooLarge;
    }

    private static async Task<Outcome> Overloaded(HttpContext ctx, GatewayConfig config, string why)
    {
        await ErrorBodies.WriteAsync(ctx.Response, 429, $"overloaded: {why}; retry after {config.Limits.RetryAfterSeconds} s", "rate_limit_exceeded", config.Limits.RetryAfterSeconds).ConfigureAwait(false);
        return Outcome.Overloaded;
    }

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.GetType().Name}: {inner.Message}" : $"{e.GetType().Name}: {e.Message}";
}
