using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tpd.Llama.Engine;

namespace Tpd.Llama.Server;

/// <summary>
/// An OpenAI-compatible server (vLLM's routes and stream format) in front of a real llama.cpp engine, on Kestrel,
/// bound to 127.0.0.1 only. It owns the engine; it stops when disposed or when its lifetime runs out.
/// </summary>
public sealed class LlamaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private LlamaServer(WebApplication app, LlamaEngine engine, Uri baseUri, string modelName)
    {
        _app = app;
        Engine = engine;
        BaseUri = baseUri;
        ModelName = modelName;
    }

    public LlamaEngine Engine { get; }

    /// <summary>http://127.0.0.1:PORT/ (with the trailing slash, so relative "v1/..." URIs resolve under it).</summary>
    public Uri BaseUri { get; }

    public string ModelName { get; }

    /// <summary>Completes when the server has stopped (disposed, or its lifetime ran out).</summary>
    public Task Stopped => _stopped.Task;

    public static async Task<LlamaServer> StartAsync(LlamaServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var engine = LlamaEngine.Start(options.Engine);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
            var app = builder.Build();
            var created = options.Time.GetUtcNow().ToUnixTimeSeconds();
            var completions = new CompletionHandler(engine, options.ModelName, options.Time);
            var tokenize = new TokenizeHandler(engine);
            var info = new InfoHandlers(engine, options.ModelName, created);
            app.MapPost("/v1/completions", (HttpContext c) => completions.Handle(c, chat: false));
            app.MapPost("/v1/chat/completions", (HttpContext c) => completions.Handle(c, chat: true));
            app.MapPost("/tokenize", tokenize.Tokenize);
            app.MapPost("/detokenize", tokenize.Detokenize);
            app.MapGet("/v1/models", info.Models);
            app.MapGet("/version", InfoHandlers.Version);
            app.MapGet("/stats", info.Stats);
            app.MapGet("/health", () => Results.Ok());
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var server = new LlamaServer(app, engine, new Uri(address.TrimEnd('/') + "/"), options.ModelName);
            if (options.Lifetime is { } lifetime)
                _ = server.StopAfterAsync(lifetime, options.Time);
            return server;
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await Stopped.ConfigureAwait(false);
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            // Open streams end when the engine stops (each gets an error frame), so a short grace is enough.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var stopping = _app.StopAsync(grace.Token);
            await Engine.DisposeAsync().ConfigureAwait(false);
            await stopping.ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifetime.Dispose();
            _stopped.TrySetResult();
        }
    }

    private async Task StopAfterAsync(TimeSpan lifetime, TimeProvider time)
    {
        try
        {
            await Task.Delay(lifetime, time, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await DisposeAsync().ConfigureAwait(false);
    }
}
