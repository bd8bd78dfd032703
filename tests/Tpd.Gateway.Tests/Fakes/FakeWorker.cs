using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tpd.Gateway.Tests.Fakes;

public sealed class FakeWorkerFactory : IWorkerFactory
{
    public async Task<ITestWorker> StartAsync(WorkerSpec spec)
    {
        var w = new FakeWorker(spec);
        await w.ListenAsync(0);
        return w;
    }
}

/// <summary>
/// A vLLM-like OpenAI server on Kestrel (127.0.0.1): role chunk first on chat, one token per chunk at the
/// configured speed, finish_reason chunk, usage chunk with empty choices when asked, [DONE]. Runtime switches
/// for slowdown, injected errors, cut streams, kill and restart. Stops by itself after two minutes.
/// </summary>
public sealed class FakeWorker : ITestWorker
{
    private readonly WorkerSpec _spec;
    private WebApplication? _app;
    private int _port;
    private long _slowdownBits = BitConverter.DoubleToInt64Bits(1);
    private int _failCount;
    private int _failStatus;
    private int _cutAfter = -1;
    private int _requests;
    private int _cancelled;
    private int _inFlight;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<HttpContext, byte> _active = new();
    private readonly CancellationTokenSource _lifetime = new(TimeSpan.FromMinutes(2));

    public FakeWorker(WorkerSpec spec)
    {
        _spec = spec;
        _lifetime.Token.Register(() => _ = _app?.StopAsync());
    }

    public string Name => _spec.Name;
    public Uri BaseUri { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);
    public int Cancelled => Volatile.Read(ref _cancelled);
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Last request bodies, newest last (bounded).</summary>
    public List<string> Bodies { get; } = [];

    private double Slowdown => BitConverter.Int64BitsToDouble(Volatile.Read(ref _slowdownBits));

    public void SetSlowdown(double factor) => Volatile.Write(ref _slowdownBits, BitConverter.DoubleToInt64Bits(factor));

    public void FailNext(int count, int status)
    {
        Volatile.Write(ref _failStatus, status);
        Volatile.Write(ref _failCount, count);
    }

    public void CutStreamsAfter(int? tokens) => Volatile.Write(ref _cutAfter, tokens ?? -1);

    internal async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", ctx => HandleAsync(ctx, chat: true));
        app.MapPost("/v1/completions", ctx => HandleAsync(ctx, chat: false));
        app.MapGet("/v1/models", ctx => ctx.Response.WriteAsync($$$"""{"object":"list","data":[{"id":"{{{_spec.Model}}}","object":"model","owned_by":"fake"}]}"""));
        app.MapGet("/health", ctx => ctx.Response.WriteAsync(""));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address + "/");
        _port = BaseUri.Port;
        _app = app;
    }

    public async Task KillAsync()
    {
        var app = _app;
        _app = null;
        if (app is null)
            return;
        // Abort every open request first, like a crashed process; then stop listening.
        foreach (var ctx in _active.Keys)
        {
            try
            {
                ctx.Abort();
            }
            catch (ObjectDisposedException)
            {
                // The request finished between the snapshot and the abort: nothing left to cut.
            }
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            await app.StopAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // connections were aborted; nothing left to wait for
        }
        await app.DisposeAsync();
    }

    public Task RestartAsync() => ListenAsync(_port);

    private async Task HandleAsync(HttpContext ctx, bool chat)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
        _active[ctx] = 0;
        try
        {
            await ServeAsync(ctx, chat);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ctx.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
        }
        finally
        {
            _active.TryRemove(ctx, out _);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ServeAsync(HttpContext ctx, bool chat)
    {
        var ct = ctx.RequestAborted;
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        lock (Bodies)
        {
            Bodies.Add(text);
            if (Bodies.Count > 1000)
                Bodies.RemoveAt(0);
        }
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var maxTokens = root.TryGetProperty("max_tokens", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32()
            : root.TryGetProperty("max_completion_tokens", out var mc) && mc.ValueKind == JsonValueKind.Number ? mc.GetInt32() : 16;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var promptTokens = Math.Max(1, text.Length / 4);

        if (Interlocked.Decrement(ref _failCount) >= 0)
        {
            ctx.Response.StatusCode = Volatile.Read(ref _failStatus);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$$"""{"error":{"message":"injected failure","type":"server_error","code":{{{ctx.Response.StatusCode}}}}}""", ct);
            return;
        }
        Interlocked.Exchange(ref _failCount, Math.Max(-1, Volatile.Read(ref _failCount)));

        await Task.Delay(TimeSpan.FromMilliseconds(_spec.TtftMilliseconds * Slowdown), ct);
        if (!stream)
        {
            await Task.Delay(TimeSpan.FromSeconds(maxTokens / _spec.TokensPerSecond * Slowdown), ct);
            ctx.Response.ContentType = "application/json";
            var content = string.Concat(Enumerable.Repeat("tok ", maxTokens));
            var body = chat
                ? $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"{{{_spec.Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"},"finish_reason":"length"}],"usage":{"prompt_tokens":{{{promptTokens}}},"total_tokens":{{{promptTokens + maxTokens}}},"completion_tokens":{{{maxTokens}}}}}"""
                : $$$"""{"id":"cmpl-1","object":"text_completion","created":0,"model":"{{{_spec.Model}}}","choices":[{"index":0,"text":"{{{content}}}","finish_reason":"length"}],"usage":{"prompt_tokens":{{{promptTokens}}},"total_tokens":{{{promptTokens + maxTokens}}},"completion_tokens":{{{maxTokens}}}}}""";
            await ctx.Response.WriteAsync(body, ct);
            return;
        }

        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        var id = chat ? "chatcmpl-1" : "cmpl-1";
        var obj = chat ? "chat.completion.chunk" : "text_completion";
        if (chat)
            await Send(ctx, $$$"""{"id":"{{{id}}}","object":"{{{obj}}}","created":0,"model":"{{{_spec.Model}}}","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""", ct);
        var cut = Volatile.Read(ref _cutAfter);
        for (var i = 0; i < maxTokens; i++)
        {
            if (i > 0)
                await Task.Delay(TimeSpan.FromSeconds(Slowdown / _spec.TokensPerSecond), ct);
            if (cut >= 0 && i >= cut)
            {
                ctx.Abort();
                return;
            }
            var finish = i == maxTokens - 1 ? "\"length\"" : "null";
            var token = "tok" + i.ToString(CultureInfo.InvariantCulture) + " ";
            await Send(ctx, chat
                ? $$$"""{"id":"{{{id}}}","object":"{{{obj}}}","created":0,"model":"{{{_spec.Model}}}","choices":[{"index":0,"delta":{"content":"{{{token}}}"},"logprobs":null,"finish_reason":{{{finish}}}}]}"""
                : $$$"""{"id":"{{{id}}}","object":"{{{obj}}}","created":0,"model":"{{{_spec.Model}}}","choices":[{"index":0,"text":"{{{token}}}","logprobs":null,"finish_reason":{{{finish}}}}]}""", ct);
        }
        if (includeUsage)
            await Send(ctx, $$$"""{"id":"{{{id}}}","object":"{{{obj}}}","created":0,"model":"{{{_spec.Model}}}","choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"total_tokens":{{{promptTokens + maxTokens}}},"completion_tokens":{{{maxTokens}}}}}""", ct);
        await ctx.Response.WriteAsync("data: [DONE]\n\n", ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    private static async Task Send(HttpContext ctx, string json, CancellationToken ct)
    {
        await ctx.Response.WriteAsync("data: " + json + "\n\n", ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _lifetime.Dispose();
    }
}
