using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tpd.Gateway.Config;
using Tpd.Gateway.Metering;
using Tpd.Gateway.Metrics;
using Tpd.Gateway.Proxy;
using Tpd.Gateway.Routing;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Hosting;

/// <summary>How to run a gateway besides its config: where the config file is (for hot reload) and where logs go.</summary>
public sealed record GatewayOptions
{
    /// <summary>Config file to watch; null disables hot reload (tests that pass a config object).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>--listen override, kept across reloads.</summary>
    public string? ListenOverride { get; init; }

    /// <summary>How often the poll fallback re-reads the config file. Default 2 s.</summary>
    public TimeSpan ReloadPoll { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Adds log providers; by default the gateway logs nothing.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A running gateway: Kestrel, the proxy, admin API, /metrics and the background loops.</summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop;
    private readonly HttpMessageInvoker _http;
    private readonly ConfigWatcher? _watcher;
    private readonly Task[] _loops;

    private GatewayServer(WebApplication app, GatewayRuntime runtime, HttpMessageInvoker http, ConfigWatcher? watcher, CancellationTokenSource stop, Task[] loops, Uri baseUri)
    {
        _stop = stop;
        _app = app;
        Runtime = runtime;
        _http = http;
        _watcher = watcher;
        _loops = loops;
        BaseUri = baseUri;
    }

    public GatewayRuntime Runtime { get; }

    /// <summary>The address actually bound (the port resolved when the config asked for 0).</summary>
    public Uri BaseUri { get; }


    /// <summary>
    /// The one upstream handler: pooled keep-alive connections, no proxy, no redirects, no cookies, no
    /// decompression (bytes pass through), no trace headers added.
    /// </summary>
    public static SocketsHttpHandler CreateUpstreamHandler(GatewayConfig config) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = config.Limits.ConnectTimeout,
        // Idle connections kept 90 s; recycled every 10 min so DNS changes (a new pod IP) are picked up.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = int.MaxValue,
        ActivityHeadersPropagator = null,
        // A cancelled stream (client gone) closes its connection at once instead of draining it for reuse:
        // draining would keep the worker generating tokens nobody reads.
        MaxResponseDrainSize = 0,
        ResponseDrainTimeout = TimeSpan.Zero,
    };

    public static async Task<GatewayServer> StartAsync(GatewayConfig config, GatewayOptions? options = null, CancellationToken ct = default)
    {
        options ??= new GatewayOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        // Kestrel's own per-request lines carry paths only, but keep them out: the gateway logs what it decides.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls(config.Listen.GetLeftPart(UriPartial.Authority));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Body size is enforced per request from the live config (it can change on reload).
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tpd.Gateway");
        var runtime = new GatewayRuntime(config, log, options.Time);
        var http = new HttpMessageInvoker(CreateUpstreamHandler(config), disposeHandler: true);
        var proxy = new ProxyHandler(http, runtime, log);
        var models = new ModelsCatalog(runtime, http);

        app.Use(async (ctx, next) =>
        {
            var cfg = runtime.Current.Config;
            if (!CidrRange.AnyContains(cfg.Security.AllowCidrs, ctx.Connection.RemoteIpAddress))
            {
                runtime.Counters.Receive();
                runtime.Counters.Finish(Outcome.Forbidden);
                Log.Rejected(log, ctx.Connection.RemoteIpAddress?.ToString(), "address outside security.allow_cidrs");
                await ErrorBodies.WriteAsync(ctx.Response, 403, "client address is not in the allowlist", "permission_error").ConfigureAwait(false);
                return;
            }
            var feature = ctx.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
                feature.MaxRequestBodySize = cfg.Limits.MaxBodyBytes;
            await next(ctx).ConfigureAwait(false);
        });

        app.MapPost("/v1/chat/completions", ctx => Authorized(ctx, runtime, log) ? proxy.HandleAsync(ctx, chat: true) : Unauthorized(ctx, runtime));
        app.MapPost("/v1/completions", ctx => Authorized(ctx, runtime, log) ? proxy.HandleAsync(ctx, chat: false) : Unauthorized(ctx, runtime));
        app.MapGet("/v1/models", ctx => Authorized(ctx, runtime, log) ? models.WriteAsync(ctx) : Unauthorized(ctx, runtime));
        app.MapGet("/health", ctx =>
        {
            var any = runtime.Current.Workers.Any(w => w.Eligible);
            ctx.Response.StatusCode = any ? 200 : 503;
            return ctx.Response.WriteAsync(any ? "ok\n" : "no eligible worker\n");
        });
        app.MapGet("/metrics", ctx =>
        {
            if (runtime.Current.Config.Security.MetricsNeedAdminKey && !AdminAuthorized(ctx, runtime))
                return AdminDenied(ctx, runtime);
            ctx.Response.ContentType = PrometheusText.ContentType;
            return ctx.Response.WriteAsync(PrometheusText.Render(runtime));
        });
        app.MapGet("/admin/workers", ctx => AdminAuthorized(ctx, runtime) ? WriteWorkers(ctx, runtime) : AdminDenied(ctx, runtime));
        app.MapPost("/admin/workers/{name}/drain", (HttpContext ctx, string name) => AdminAuthorized(ctx, runtime) ? SetDrain(ctx, runtime, name, true) : AdminDenied(ctx, runtime));
        app.MapPost("/admin/workers/{name}/undrain", (HttpContext ctx, string name) => AdminAuthorized(ctx, runtime) ? SetDrain(ctx, runtime, name, false) : AdminDenied(ctx, runtime));

        await app.StartAsync(ct).ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var stop = new CancellationTokenSource();
        var watcher = options.ConfigPath is { } path ? new ConfigWatcher(path, options.ListenOverride, runtime, log) : null;
        var loops = new List<Task>(new BackgroundLoops(runtime, http, log).Start(stop.Token));
        if (watcher is not null)
            loops.Add(watcher.PollAsync(options.ReloadPoll, stop.Token));
        if (config.Security.ApiKeys.Count == 0)
            Log.NoKeys(log);
        Log.Started(log, address, config.Pool, config.Workers.Count, config.Routing.Policy.ToString());
        return new GatewayServer(app, runtime, http, watcher, stop, [.. loops], address);
    }

    private static bool Authorized(HttpContext ctx, GatewayRuntime rt, ILogger log)
    {
        var keys = rt.Current.Config.Security.ApiKeys;
        if (keys.Count == 0)
            return true;
        var ok = KeyCheck.Find(keys, KeyCheck.Bearer(ctx.Request.Headers.Authorization)) is not null;
        if (!ok)
            Log.Rejected(log, ctx.Connection.RemoteIpAddress?.ToString(), "missing or unknown API key");
        return ok;
    }

    private static Task Unauthorized(HttpContext ctx, GatewayRuntime rt)
    {
        rt.Counters.Receive();
        rt.Counters.Finish(Outcome.Unauthorized);
        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorBodies.WriteAsync(ctx.Response, 401, "missing or invalid API key; send Authorization: Bearer <key>", "invalid_api_key");
    }

    private static bool AdminAuthorized(HttpContext ctx, GatewayRuntime rt) =>
        rt.Current.Config.Security.AdminKey is { } admin && admin.Matches(KeyCheck.Bearer(ctx.Request.Headers.Authorization));

    private static Task AdminDenied(HttpContext ctx, GatewayRuntime rt)
    {
        if (rt.Current.Config.Security.AdminKey is null)
            return ErrorBodies.WriteAsync(ctx.Response, 404, "the admin API is off; set security.admin_key_sha256 to turn it on", "not_found");
        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorBodies.WriteAsync(ctx.Response, 401, "admin endpoints need the admin key: Authorization: Bearer <admin key>", "invalid_api_key");
    }

    private static Task SetDrain(HttpContext ctx, GatewayRuntime rt, string name, bool drained)
    {
        if (!rt.SetManualDrain(name, drained))
            return ErrorBodies.WriteAsync(ctx.Response, 404, $"no worker named '{name}'; GET /admin/workers lists them", "not_found");
        return WriteJson(ctx, JsonSerializer.SerializeToUtf8Bytes(View(rt, rt.Worker(name)!), GatewayJson.Default.AdminWorker));
    }

    private static Task WriteWorkers(HttpContext ctx, GatewayRuntime rt) =>
        WriteJson(ctx, JsonSerializer.SerializeToUtf8Bytes(rt.Current.Workers.Select(w => View(rt, w)).ToList(), GatewayJson.Default.ListAdminWorker));

    private static Task WriteJson(HttpContext ctx, byte[] body)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.Body.WriteAsync(body).AsTask();
    }

    public static AdminWorker View(GatewayRuntime rt, WorkerState w) => new(
        w.Name,
        w.Config.Url.ToString(),
        w.Config.Price.DollarsPerHour,
        w.Config.Weight,
        (w.Block & WorkerBlock.Ejected) == 0,
        (w.Block & WorkerBlock.AutoDrained) != 0,
        (w.Block & WorkerBlock.ManualDrained) != 0,
        w.InFlight,
        w.Meter.LastWindow.OutputTokensPerSecond,
        w.Meter.LastWindow.OutputTokensPerSecond / w.Config.Price.DollarsPerHour,
        w.Meter.LastWindow.MeanInFlight,
        w.Meter.DecodeTokensPerSecond,
        rt.Drain.SlowWindows(w.Name),
        rt.RequiredProbeSpeed(w.Name),
        w.Config.Labels);

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        _http.Dispose();
        _stop.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
