using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tpd.Twin.Engine;
using Tpd.Twin.Metrics;
using Tpd.Twin.OpenAi;
using Tpd.Twin.Text;

namespace Tpd.Twin.Server;

/// <summary>Routes and answers every request of a twin (one terminal middleware: no routing tables on the hot path).</summary>
internal sealed class TwinHandler(TwinHost host)
{
    private const int MaxBodyBytes = 32 * 1024 * 1024;
    // Kestrel's flush completes when the bytes reach its socket pipe, not the wire, and an abort drops what the send loop
    // has not taken yet. There is no signal for "sent" short of a 1-byte write buffer (a 20-30 % throughput cost, measured),
    // so a cut waits this long first: CI on a loaded 2-core box lost all three tokens with 50 ms.
    private static readonly TimeSpan CutGrace = TimeSpan.FromMilliseconds(500);

    // Python's json.dumps leaves backticks and quotes in messages alone ("The model `x` does not exist.").
    private static readonly JsonWriterOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly TwinOptions _options = host.Options;
    private readonly LiveEngine _engine = host.Engine;
    private readonly TwinMetrics _metrics = host.Metrics;
    private long _requests;
    private int _inFlight;

    public Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var post = HttpMethods.IsPost(ctx.Request.Method);
        if (!path.StartsWith("/twin/", StringComparison.Ordinal) && host.Faults.RefuseConnections)
        {
            ctx.Abort();
            return Task.CompletedTask;
        }

        return path switch
        {
            "/v1/chat/completions" => post ? CompletionAsync(ctx, chat: true) : MethodNotAllowed(ctx),
            "/v1/completions" => post ? CompletionAsync(ctx, chat: false) : MethodNotAllowed(ctx),
            "/v1/models" => ModelsAsync(ctx),
            "/health" => Task.CompletedTask,
            "/metrics" => MetricsAsync(ctx),
            "/twin/faults" => post ? SetFaultsAsync(ctx) : GetFaultsAsync(ctx),
            _ => DetailAsync(ctx, 404, "Not Found"),
        };
    }

    private double Now() => _engine.NowSeconds;

    private static Task MethodNotAllowed(HttpContext ctx) => DetailAsync(ctx, 405, "Method Not Allowed");

    /// <summary>FastAPI's answer for unknown routes and methods, as vLLM gives it.</summary>
    private static Task DetailAsync(HttpContext ctx, int status, string detail) =>
        JsonAsync(ctx, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("detail", detail);
            w.WriteEndObject();
        });

    private static async Task JsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var pipe = ctx.Response.BodyWriter;
        using (var w = new Utf8JsonWriter(pipe, RelaxedJson))
            write(w);
        await pipe.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext ctx, ApiError error) => JsonAsync(ctx, error.Status, error.Write);

    private Task ModelsAsync(HttpContext ctx) => JsonAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteString("id", _options.ServedModelName);
        w.WriteString("object", "model");
        w.WriteNumber("created", _options.Time.GetUtcNow().ToUnixTimeSeconds());
        w.WriteString("owned_by", "vllm");
        w.WriteString("root", _options.ServedModelName);
        w.WriteNull("parent");
        w.WriteNumber("max_model_len", host.MaxModelLen);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private async Task MetricsAsync(HttpContext ctx)
    {
        var gauges = _options.ZeroDelay
            ? new Gauges(Volatile.Read(ref _inFlight), 0, 0, 0, 0, 0)
            : FromEngine(_engine.Stats);
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await ctx.Response.WriteAsync(_metrics.Render(gauges), ctx.RequestAborted).ConfigureAwait(false);
    }

    private static Gauges FromEngine(LiveEngineStats s) => new(s.Running, s.Waiting, s.KvUsage, s.Preemptions, s.PrefixCacheQueries, s.PrefixCacheHits);

    private Task GetFaultsAsync(HttpContext ctx) => JsonAsync(ctx, 200, host.Faults.WriteJson);

    private async Task SetFaultsAsync(HttpContext ctx)
    {
        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        if (body is null)
            return;
        var errors = new List<string>();
        TwinFaults? patched;
        try
        {
            using var doc = JsonDocument.Parse(body);
            patched = host.Faults.Patch(doc.RootElement, errors);
        }
        catch (JsonException e)
        {
            await ErrorAsync(ctx, new ApiError(400, $"the faults body is not valid JSON: {e.Message}")).ConfigureAwait(false);
            return;
        }

        if (patched is null)
        {
            await ErrorAsync(ctx, new ApiError(400, string.Join(" ", errors))).ConfigureAwait(false);
            return;
        }

        host.Faults = patched;
        await JsonAsync(ctx, 200, patched.WriteJson).ConfigureAwait(false);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext ctx)
    {
        var reader = ctx.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(ctx.RequestAborted).ConfigureAwait(false);
            if (result.Buffer.Length > MaxBodyBytes)
            {
                await ErrorAsync(ctx, new ApiError(413, $"the request body is over {MaxBodyBytes} bytes.")).ConfigureAwait(false);
                return null;
            }

            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private async Task CompletionAsync(HttpContext ctx, bool chat)
    {
        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        if (body is null)
            return;
        var arrival = Now();
        // Prefix caching keys blocks by content; zero-delay mode has no engine and skips the hashing.
        var blockSize = _options.ZeroDelay || !_options.Engine.EnablePrefixCaching ? 0 : _options.Engine.BlockSize;
        var request = TwinRequest.Parse(new ReadOnlySequence<byte>(body), chat, blockSize, out var parseError);
        if (request is null)
        {
            await ErrorAsync(ctx, parseError!).ConfigureAwait(false);
            return;
        }

        if (request.Model != _options.ServedModelName)
        {
            await ErrorAsync(ctx, new ApiError(404, $"The model `{request.Model}` does not exist.", "model")).ConfigureAwait(false);
            return;
        }

        var choices = new Choice[request.Prompts.Count];
        var maxLen = host.MaxModelLen;
        var n = Interlocked.Increment(ref _requests);
        for (var i = 0; i < choices.Length; i++)
        {
            var prompt = request.Prompts[i];
            var max = request.MaxTokens ?? (maxLen - prompt);
            if (prompt + max > maxLen || max < 1)
            {
                var what = chat ? "messages" : "prompt";
                await ErrorAsync(ctx, new ApiError(400, $"This model's maximum context length is {maxLen} tokens. However, you requested {prompt + Math.Max(max, 0)} tokens ({prompt} in the {what}, {Math.Max(max, 0)} in the completion). Please reduce the length of the {what} or completion.")).ConfigureAwait(false);
                return;
            }

            var key = request.Seed is { } s ? (long)(Mix.Hash(s, i, 7) >> 1) : (n * 64) + i;
            var natural = request.IgnoreEos ? int.MaxValue : NaturalLength.Draw(_options.Seed, key);
            var target = Math.Clamp(natural, Math.Clamp(request.MinTokens, 1, max), max);
            choices[i] = new Choice(i, prompt, target, target >= max ? "length" : "stop", key, arrival);
        }

        var faults = host.Faults;
        if (InjectedError(faults, n) is { } injected)
        {
            if (injected.Status is 429 or 503)
                ctx.Response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ErrorAsync(ctx, injected).ConfigureAwait(false);
            return;
        }

        var cut = Mix.Uniform(_options.Seed, n, 2);
        var cutMode = cut < faults.CutProbability ? CutMode.Reset : cut < faults.CutProbability + faults.StreamErrorProbability ? CutMode.ErrorFrame : CutMode.None;

        Interlocked.Increment(ref _inFlight);
        try
        {
            if (!_options.ZeroDelay)
            {
                foreach (var c in choices)
                    c.Live = _engine.Submit(c.Prompt, c.Target, BlockKeys(request, c));
            }

            if (request.Stream)
                await StreamAsync(ctx, request, choices, n, cutMode, faults.CutAfterTokens).ConfigureAwait(false);
            else
                await WholeAsync(ctx, request, choices, n, cutMode, faults.CutAfterTokens).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away: the finally block frees its KV blocks.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            foreach (var c in choices)
            {
                if (!c.Recorded)
                {
                    c.Recorded = true;
                    _metrics.Finished("abort", 0, 0, 0, 0, 0);
                }

                if (c.Live is { Finished: false } live)
                    _engine.Cancel(live);
            }
        }
    }

    /// <summary>
    /// Keys of the choice's full blocks over its prompt and the output it will generate: vLLM caches the blocks of
    /// generated tokens too, so a next chat turn that sends the reply back finds them.
    /// </summary>
    private long[]? BlockKeys(TwinRequest request, Choice c)
    {
        if (request.Content is not { } content)
            return null;
        var keys = content[c.Index];
        for (var i = 0; i < c.Target; i++)
            keys.Add(Words.TokenId(_options.Seed, c.Key, i));
        return keys.Keys();
    }

    private ApiError? InjectedError(TwinFaults faults, long n)
    {
        if (faults.ErrorRates.Count == 0)
            return null;
        var u = Mix.Uniform(_options.Seed, n, 1);
        var cumulative = 0.0;
        foreach (var status in TwinFaults.Statuses)
        {
            cumulative += faults.ErrorRates.GetValueOrDefault(status);
            if (u < cumulative)
            {
                return status switch
                {
                    400 => new ApiError(400, "twin fault: injected 400 bad request."),
                    429 => new ApiError(429, $"twin fault: injected 429, rate limited; retry after {faults.RetryAfterSeconds} s."),
                    503 => new ApiError(503, $"twin fault: injected 503, service unavailable; retry after {faults.RetryAfterSeconds} s."),
                    _ => new ApiError(500, "twin fault: injected 500 internal server error."),
                };
            }
        }

        return null;
    }

    private string Id(bool chat, long n) =>
        (chat ? "chatcmpl-" : "cmpl-") + Mix.Hash(_options.Seed, n, 3).ToString("x16", CultureInfo.InvariantCulture) + Mix.Hash(_options.Seed, n, 4).ToString("x16", CultureInfo.InvariantCulture);

    private async Task StreamAsync(HttpContext ctx, TwinRequest request, Choice[] choices, long n, CutMode cutMode, int cutAfter)
    {
        var ct = ctx.RequestAborted;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        var pipe = ctx.Response.BodyWriter;
        using var writer = new ChunkWriter(pipe, Id(request.Chat, n), request.Model, _options.Time.GetUtcNow().ToUnixTimeSeconds(), request.Chat);
        if (request.Chat)
        {
            foreach (var c in choices)
                writer.Role(c.Index, request.ContinuousUsage ? c.Prompt : null);
        }

        await Flush(pipe, ct).ConfigureAwait(false);
        while (true)
        {
            var pending = false;
            foreach (var c in choices)
            {
                var p = Progress(c);
                Observe(c, p);
                while (c.Written < p.Tokens)
                {
                    if (cutMode != CutMode.None && c.Written == cutAfter)
                    {
                        await CutAsync(ctx, writer, pipe, choices, cutMode).ConfigureAwait(false);
                        return;
                    }

                    var finish = c.Written + 1 == c.Target ? c.Finish : null;
                    writer.Token(c.Index, Words.Token(_options.Seed, c.Key, c.Written), finish, request.ContinuousUsage ? (c.Prompt, c.Written + 1) : null);
                    c.Written++;
                }

                if (!p.Finished)
                {
                    pending = true;
                }
                else if (c.Written < c.Target)
                {
                    // The engine stopped before the request finished (the twin is shutting down).
                    writer.Error(new ApiError(503, "the twin is shutting down; the request was aborted."));
                    writer.Done();
                    await Flush(pipe, ct).ConfigureAwait(false);
                    return;
                }
                else
                {
                    Record(c);
                }
            }

            await Flush(pipe, ct).ConfigureAwait(false);
            if (!pending)
                break;
            await WaitAnyAsync(choices, ct).ConfigureAwait(false);
        }

        if (request.IncludeUsage)
            writer.UsageChunk(choices.Sum(c => c.Prompt), choices.Sum(c => c.Written), CachedTokens(choices));
        writer.Done();
        await Flush(pipe, ct).ConfigureAwait(false);
    }

    private async Task CutAsync(HttpContext ctx, ChunkWriter writer, PipeWriter pipe, Choice[] choices, CutMode mode)
    {
        foreach (var c in choices)
        {
            if (c.Live is { } live)
                _engine.Cancel(live);
        }

        if (mode == CutMode.ErrorFrame)
        {
            writer.Error(new ApiError(500, "twin fault: injected engine error mid-stream."));
            writer.Done();
            await Flush(pipe, ctx.RequestAborted).ConfigureAwait(false);
            await pipe.CompleteAsync().ConfigureAwait(false);
            return;
        }

        await Flush(pipe, ctx.RequestAborted).ConfigureAwait(false);
        await Task.Delay(CutGrace, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Abort();
    }

    private async Task WholeAsync(HttpContext ctx, TwinRequest request, Choice[] choices, long n, CutMode cutMode, int cutAfter)
    {
        var ct = ctx.RequestAborted;
        while (true)
        {
            var pending = false;
            foreach (var c in choices)
            {
                var p = Progress(c);
                Observe(c, p);
                c.Written = p.Tokens;
                if (cutMode != CutMode.None && c.Written >= cutAfter && c.Target > cutAfter)
                {
                    foreach (var x in choices)
                    {
                        if (x.Live is { } live)
                            _engine.Cancel(live);
                    }

                    if (cutMode == CutMode.Reset)
                        ctx.Abort();
                    else
                        await ErrorAsync(ctx, new ApiError(500, "twin fault: injected engine error.")).ConfigureAwait(false);
                    return;
                }

                if (!p.Finished)
                    pending = true;
                else if (c.Written < c.Target)
                {
                    await ErrorAsync(ctx, new ApiError(503, "the twin is shutting down; the request was aborted.")).ConfigureAwait(false);
                    return;
                }
            }

            if (!pending)
                break;
            await WaitAnyAsync(choices, ct).ConfigureAwait(false);
        }

        foreach (var c in choices)
            Record(c);
        await JsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", Id(request.Chat, n));
            w.WriteString("object", request.Chat ? "chat.completion" : "text_completion");
            w.WriteNumber("created", _options.Time.GetUtcNow().ToUnixTimeSeconds());
            w.WriteString("model", request.Model);
            w.WriteStartArray("choices");
            foreach (var c in choices)
            {
                w.WriteStartObject();
                w.WriteNumber("index", c.Index);
                var text = Words.Text(_options.Seed, c.Key, c.Written);
                if (request.Chat)
                {
                    w.WriteStartObject("message");
                    w.WriteString("role", "assistant");
                    w.WriteString("content", text);
                    w.WriteStartArray("tool_calls");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteString("text", text);
                }

                w.WriteNull("logprobs");
                w.WriteString("finish_reason", c.Finish);
                w.WriteNull("stop_reason");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            var prompt = choices.Sum(c => c.Prompt);
            var completion = choices.Sum(c => c.Written);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", prompt);
            w.WriteNumber("total_tokens", prompt + completion);
            w.WriteNumber("completion_tokens", completion);
            if (_options.EnablePromptTokensDetails)
            {
                // vLLM writes the details object when it has cached tokens, else null (pydantic's model_dump).
                if (CachedTokens(choices) is { } cached)
                {
                    w.WriteStartObject("prompt_tokens_details");
                    w.WriteNumber("cached_tokens", cached);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("prompt_tokens_details");
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Prompt tokens served from the prefix cache, for usage.prompt_tokens_details; null when vLLM would leave it out (details off, or no hit).</summary>
    private int? CachedTokens(Choice[] choices)
    {
        if (!_options.EnablePromptTokensDetails)
            return null;
        var cached = choices.Sum(c => c.Live?.CachedPromptTokens ?? 0);
        return cached > 0 ? cached : null;
    }

    private static async ValueTask Flush(PipeWriter pipe, CancellationToken ct)
    {
        var result = await pipe.FlushAsync(ct).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
            throw new OperationCanceledException("the client closed the connection.", ct);
    }

    private static Task WaitAnyAsync(Choice[] choices, CancellationToken ct)
    {
        if (choices.Length == 1)
            return choices[0].Live!.WaitAsync(choices[0].Seen, ct);
        var waits = new List<Task>(choices.Length);
        foreach (var c in choices)
        {
            if (c.Live is { Finished: false } live)
                waits.Add(live.WaitAsync(c.Seen, ct));
        }

        return waits.Count == 0 ? Task.CompletedTask : Task.WhenAny(waits);
    }

    private static LiveProgress Progress(Choice c) => c.Live?.Progress() ?? new LiveProgress(c.Target, c.Arrival, true);

    /// <summary>Token counters, TTFT and inter-token gaps, as tokens appear.</summary>
    private void Observe(Choice c, LiveProgress p)
    {
        var k = p.Tokens - c.Seen;
        if (k <= 0)
            return;
        _metrics.GenerationTokens(k);
        if (c.Seen == 0)
        {
            // From the engine's arrival, as vLLM measures it (after the body is parsed), like every other histogram.
            var first = c.Live?.FirstTokenSeconds ?? c.Arrival;
            _metrics.PromptTokens(c.Prompt);
            _metrics.Ttft.Observe(first - (c.Live?.ArrivalSeconds ?? c.Arrival));
            if (k > 1)
                _metrics.Gaps((p.LastTokenSeconds - first) / (k - 1), k - 1);
        }
        else
        {
            _metrics.Gaps((p.LastTokenSeconds - c.LastSeen) / k, k);
        }

        c.Seen = p.Tokens;
        c.LastSeen = p.LastTokenSeconds;
    }

    private void Record(Choice c)
    {
        if (c.Recorded)
            return;
        c.Recorded = true;
        if (c.Live is { } live)
            _metrics.Finished(c.Finish, live.ArrivalSeconds, live.ScheduledSeconds, live.FirstTokenSeconds, live.LastTokenSeconds, c.Written);
        else
            _metrics.Finished(c.Finish, c.Arrival, c.Arrival, c.Arrival, c.Arrival, c.Written);
    }

    private enum CutMode
    {
        None,
        Reset,
        ErrorFrame,
    }

    /// <summary>One prompt's answer being served.</summary>
    private sealed class Choice(int index, int prompt, int target, string finish, long key, double arrival)
    {
        public int Index { get; } = index;
        public int Prompt { get; } = prompt;
        public int Target { get; } = target;
        public string Finish { get; } = finish;
        public long Key { get; } = key;
        public double Arrival { get; } = arrival;
        public LiveRequest? Live { get; set; }
        public int Written { get; set; }
        public int Seen { get; set; }
        public double LastSeen { get; set; }
        public bool Recorded { get; set; }
    }
}
