using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tpd.Cli.Rendering;
using Tpd.Gateway.Config;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Security;

namespace Tpd.Cli.Commands;

/// <summary>`tpd gateway`: the OpenAI-compatible load balancer with metering in dollars, drain and a scaling signal.</summary>
internal static class GatewayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config") { Description = "Gateway config file, YAML or JSON (example in docs/gateway.md); reloaded when it changes" };
        var listen = new Option<string>("--listen") { Description = "host:port to bind, overriding the file [default: the file's listen, else 127.0.0.1:8080]" };
        var check = new Option<bool>("--check") { Description = "Validate the config, print what would run, and exit (0 valid, 2 not)" };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning or error [default: information]" };
        var command = new Command("gateway", "Run an OpenAI-compatible load balancer in front of inference workers: routing, metering in $/1M tokens, drain of slow workers, Prometheus /metrics with a desired-replicas signal.")
        {
            config, listen, check, logLevel,
        };
        command.Subcommands.Add(HashKey(stdout, stderr));

        command.SetAction(async (r, ct) =>
        {
            if (r.GetValue(config) is not { } path)
                return ErrorOutput.Write(stderr, ["--config is required, e.g. tpd gateway --config gateway.yaml (a complete example is in docs/gateway.md)"]);
            var level = (r.GetValue(logLevel) ?? "information").ToLowerInvariant() switch
            {
                "trace" => LogLevel.Trace,
                "debug" => LogLevel.Debug,
                "information" or "info" => LogLevel.Information,
                "warning" => LogLevel.Warning,
                "error" => LogLevel.Error,
                var other => (LogLevel?)null,
            };
            if (level is null)
                return ErrorOutput.Write(stderr, [$"--log-level '{r.GetValue(logLevel)}' is not a level; use trace, debug, information, warning or error"]);

            var result = ConfigLoader.LoadFile(path, r.GetValue(listen));
            if (!result.Ok)
                return ErrorOutput.Write(stderr, [.. result.Errors.Select(e => $"{path}: {e}")]);
            var cfg = result.Config!;
            if (r.GetValue(check))
            {
                GatewayStartup.Write(stdout, cfg, cfg.Listen, checkOnly: true);
                return 0;
            }

            GatewayServer server;
            try
            {
                server = await GatewayServer.StartAsync(cfg, new GatewayOptions
                {
                    ConfigPath = path,
                    ListenOverride = r.GetValue(listen),
                    Logging = b => b.AddSimpleConsole(o =>
                    {
                        o.SingleLine = true;
                        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                        o.UseUtcTimestamp = true;
                    }).AddFilter("Tpd.Gateway", level.Value).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
                }, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                return ErrorOutput.Write(stderr, [$"cannot listen on {cfg.Listen.Authority}: {e.Message}; pick a free port with --listen 127.0.0.1:8081"]);
            }

            await using (server.ConfigureAwait(false))
            {
                GatewayStartup.Write(stdout, cfg, server.BaseUri, checkOnly: false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    stdout.WriteLine("stopping: in-flight requests are cancelled; workers are unaffected");
                }
            }
            return 0;
        });
        return command;
    }

    private static Command HashKey(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("key") { Description = "The API key to hash (omit it and use --stdin to keep it out of shell history)", Arity = ArgumentArity.ZeroOrOne };
        var stdin = new Option<bool>("--stdin") { Description = "Read the key from the first line of standard input" };
        var name = new Option<string>("--name") { Description = "A label for the key (who holds it); printed as a YAML entry for security.api_keys" };
        var command = new Command("hash-key", "Print the SHA-256 hash to store in the gateway config (security.api_keys or admin_key_sha256). Keys themselves are never stored.")
        {
            key, stdin, name,
        };
        command.SetAction(r =>
        {
            var text = r.GetValue(stdin) ? Console.In.ReadLine() : r.GetValue(key);
            if (string.IsNullOrEmpty(text))
                return ErrorOutput.Write(stderr, ["no key given; pass it as an argument (tpd gateway hash-key sk-...) or pipe it with --stdin"]);
            if (text.Length < 16)
                stderr.WriteLine($"warning: the key is {text.Length} characters; use 32 or more random characters (e.g. `openssl rand -hex 32`)");
            var hash = KeyHash.Of(text.Trim()).Text;
            if (r.GetValue(name) is { } label)
                stdout.WriteLine($"- name: {label}\n  sha256: {hash}");
            else
                stdout.WriteLine(hash);
            return 0;
        });
        return command;
    }
}
