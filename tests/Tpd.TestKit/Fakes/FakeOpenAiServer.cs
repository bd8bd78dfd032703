using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tpd.TestKit.Fakes;

/// <summary>How the fake server behaves; tests set what they need.</summary>
public sealed class FakeServerOptions
{
    /// <summary>
    /// How much sooner than asked one of the server's delays may end, as a client's Stopwatch sees it: .NET timers read
    /// a coarse clock (CLOCK_MONOTONIC_COARSE, 4 ms ticks on a HZ=250 Linux kernel), so a 10 ms Task.Delay was measured
    /// ending after 8.6 ms. Lower bounds on measured latencies allow this per delay.
    /// </summary>
    public static readonly TimeSpan DelaySlack = TimeSpan.FromMilliseconds(4.5);

    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.FromMilliseconds(20);
    public TimeSpan TokenDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Where the "model" stops on its own unless ignore_eos is set.</summary>
    public int NaturalLength { get; set; } = 1_000;

    public bool RejectStreamOptions { get; set; }
    public bool RejectTokenIds { get; set; }
    public bool RejectIgnoreEos { get; set; }
    public bool RejectMinTokens { get; set; }
    public bool NoUsage { get; set; }

    /// <summary>Answer every request with this status and an OpenAI-style error body.</summary>
    public int? Status { get; set; }

    /// <summary>Abort the connection after this many token chunks.</summary>
    public int? CutAfterTokens { get; set; }

    /// <summary>Ignore "stream": true and answer with one JSON body.</summary>
    public bool NoStreaming { get; set; }

    /// <summary>Require "Authorization: Bearer KEY".</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Latency by load, like a batching engine: each token waits <see cref="TokenDelay"/> plus this much per other
    /// request in flight (a decode step grows with the batch).
    /// </summary>
    public TimeSpan SlowdownPerRequest { get; set; }

    /// <summary>At most this many requests generate at once; the rest queue before their first token (a full batch or KV cache).</summary>
    public int? MaxRunning { get; set; }

    /// <summary>The server stops by itself after this long, if a test (or a docs run) forgets it. Default 60 s.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A minimal OpenAI-style streaming server on Kestrel, 127.0.0.1 and a free port: /v1/completions and
/// /v1/chat/completions (every message counted as prompt), role chunk first on chat, one token per chunk, usage chunk
/// on include_usage, [DONE]; optionally slower under load and with a limit on requests generating at once.
/// It stops by itself after <see cref="FakeServerOptions.Lifetime"/> if a test forgets it.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _lifetime;
    private readonly SemaphoreSlim? _running;
    private int _inFlight;
    private int _maxInFlight;
    private int _requests;

    private FakeOpenAiServer(WebApplication app, FakeServerOptions options)
    {
        _app = app;
        Options = options;
        _lifetime = new CancellationTokenSource(options.Lifetime);
        _running = options.MaxRunning is { } n ? new SemaphoreSlim(n, n) : null;
    }

    public FakeServerOptions Options { get; }
    public Uri BaseUri { get; private set; } = null!;
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public int Requests => Volatile.Read(ref _requests);
    public List<string> Bodies { get; } = [];

    public static async Task<FakeOpenAiServer> StartAsync(FakeServerOptions? options = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, options ?? new FakeServerOptions());
        app.MapPost("/v1/completions", ctx => server.HandleAsync(ctx, chat: false));
        app.MapPost("/v1/chat/completions", ctx => server.HandleAsync(ctx, chat: true));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address + "/");
        server._lifetime.Token.Register(() => _ = app.StopAsync());
        return server;
    }

    private async Task HandleAsync(HttpContext ctx, bool chat)
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            await ServeAsync(ctx, chat);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ServeAsync(HttpContext ctx, bool chat)
    {
        var o = Options;
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync();
        lock (Bodies)
            Bodies.Add(text);
        using var doc = JsonDocument.Parse(text);
        var body = doc.RootElement;

        if (o.ApiKey is { } key && ctx.Request.Headers.Authorization.ToString() != $"Bearer {key}")
        {
            await Error(ctx, 401, "invalid API key");
            return;
        }

        if (o.Status is { } status)
        {
            await Error(ctx, status, status == 429 ? "rate limited, slow down" : "failure on purpose");
            return;
        }

        var prompt = chat ? body.GetProperty("messages")[body.GetProperty("messages").GetArrayLength() - 1].GetProperty("content") : body.GetProperty("prompt");
        if (o.RejectStreamOptions && body.TryGetProperty("stream_options", out _))
        {
            await Error(ctx, 400, "unknown field stream_options");
            return;
        }

        if (o.RejectTokenIds && prompt.ValueKind == JsonValueKind.Array)
        {
            await Error(ctx, 400, "prompt must be a string");
            return;
        }

        if (o.RejectIgnoreEos && body.TryGetProperty("ignore_eos", out _))
        {
            await Error(ctx, 400, "unknown field ignore_eos");
            return;
        }

        if (o.RejectMinTokens && body.TryGetProperty("min_tokens", out _))
        {
            await Error(ctx, 400, "unknown field min_tokens");
            return;
        }

        var promptTokens = chat
            ? body.GetProperty("messages").EnumerateArray().Sum(m => m.GetProperty("content").GetString()!.Split(' ').Length)
            : prompt.ValueKind == JsonValueKind.Array ? prompt.GetArrayLength() : prompt.GetString()!.Split(' ').Length;
        var max = body.GetProperty("max_tokens").GetInt32();
        var ignoreEos = body.TryGetProperty("ignore_eos", out var ie) && ie.GetBoolean();
        var n = ignoreEos ? max : Math.Min(max, o.NaturalLength);
        var usage = !o.NoUsage && body.TryGetProperty("stream_options", out var so) && so.GetProperty("include_usage").GetBoolean();

        if (o.NoStreaming)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$$"""{"choices":[{"index":0,"text":"whole answer"}],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{n}}}}}""");
            return;
        }

        ctx.Response.ContentType = "text/event-stream";
        var ct = ctx.RequestAborted;
        if (chat)
            await Send(ctx, """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""");
        if (_running is not null)
            await _running.WaitAsync(ct);
        try
        {
            await GenerateAsync(ctx, chat, n, usage, promptTokens, ct);
        }
        finally
        {
            _running?.Release();
        }
    }

    private async Task GenerateAsync(HttpContext ctx, bool chat, int n, bool usage, int promptTokens, CancellationToken ct)
    {
        var o = Options;
        await Task.Delay(o.FirstTokenDelay, ct);
        for (var i = 0; i < n; i++)
        {
            if (i > 0)
                await Task.Delay(o.TokenDelay + (o.SlowdownPerRequest * Math.Max(0, Volatile.Read(ref _inFlight) - 1)), ct);
            if (o.CutAfterTokens is { } cut && i == cut)
            {
                await ctx.Response.Body.WriteAsync("data: {\"choi"u8.ToArray(), ct);
                await ctx.Response.Body.FlushAsync(ct);
                ctx.Abort();
                return;
            }

            await Send(ctx, chat
                ? $$"""{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"t{{i}} "},"finish_reason":null}]}"""
                : $$"""{"object":"text_completion","choices":[{"index":0,"text":"t{{i}} ","finish_reason":null}]}""");
        }

        if (usage)
            await Send(ctx, $$$"""{"choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{n}}},"total_tokens":{{{promptTokens + n}}}}}""");
        await Send(ctx, "[DONE]");
    }

    private static async Task Send(HttpContext ctx, string data)
    {
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    private static async Task Error(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($$$"""{"error":{"message":"{{{message}}}","type":"error","code":{{{status}}}}}""");
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _lifetime.Dispose();
        _running?.Dispose();
    }
}
