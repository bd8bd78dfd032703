using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Tpd.Twin.Engine;

namespace Tpd.Twin.Server;

/// <summary>
/// `tpd twin`: an OpenAI-compatible stand-in for a vLLM server, on Kestrel, whose token timing comes from the live
/// simulator. Endpoints: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health,
/// GET /metrics, GET and POST /twin/faults.
/// </summary>
public static class TwinServer
{
    /// <summary>Binds, starts the engine and the server, and returns once it accepts connections.</summary>
    public static async Task<TwinHost> StartAsync(TwinOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid twin options:\n  " + string.Join("\n  ", errors), nameof(options));
        var address = ResolveHost(options.Host);

        var engineOptions = new LiveEngineOptions
        {
            Engine = options.Engine with { MaxModelLen = options.MaxModelLen ?? options.Engine.MaxModelLen },
            TimeFactor = options.TimeFactor,
            Seed = options.Seed,
        };
        var engine = new LiveEngine(engineOptions, options.Cost, TimeProvider.System);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Requests carry prompts as text or token ids; 32 MiB holds a 1M-token id list.
            k.Limits.MaxRequestBodySize = 32L * 1024 * 1024;
            k.Listen(address, options.Port);
        });
        var app = builder.Build();
        var host = new TwinHost(app, options, engine, engine.MaxTokensPerRequest);
        var handler = new TwinHandler(host);
        app.Run(handler.HandleAsync);
        if (!options.ZeroDelay)
            engine.Start();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            engine.Dispose();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseUri = new UriBuilder(bound) { Path = "/" }.Uri;
        return host;
    }

    private static IPAddress ResolveHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var ip))
            return ip;
        throw new ArgumentException($"host '{host}' is not an IP address; use 127.0.0.1 (default), 0.0.0.0 to listen on every interface, or a local address.", nameof(host));
    }
}
