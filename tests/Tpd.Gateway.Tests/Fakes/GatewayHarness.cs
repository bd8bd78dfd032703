using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Tpd.Gateway.Config;
using Tpd.Gateway.Hosting;

namespace Tpd.Gateway.Tests.Fakes;

/// <summary>A gateway on 127.0.0.1 (free port) in front of test workers, with an HTTP client and captured logs.</summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    private GatewayHarness(GatewayServer server, List<ITestWorker> workers, CapturedLogs logs, string? configPath)
    {
        Server = server;
        Workers = workers;
        Logs = logs;
        ConfigPath = configPath;
        Client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public GatewayServer Server { get; }
    public List<ITestWorker> Workers { get; }
    public CapturedLogs Logs { get; }
    public HttpClient Client { get; }
    public string? ConfigPath { get; }
    public GatewayRuntime Runtime => Server.Runtime;

    /// <summary>YAML for the workers (each at $2/hour unless given) followed by <paramref name="extraYaml"/>.</summary>
    public static string Yaml(IEnumerable<ITestWorker> workers, string extraYaml = "", double[]? prices = null)
    {
        var sb = new StringBuilder("listen: 127.0.0.1:0\nworkers:\n");
        var i = 0;
        foreach (var w in workers)
        {
            var price = prices?[i] ?? 2.0;
            sb.Append(CultureInfo.InvariantCulture, $"  - name: {w.Name}\n    url: {w.BaseUri}\n    price_per_hour: {price}\n");
            i++;
        }
        sb.Append(extraYaml);
        return sb.ToString();
    }

    public static async Task<GatewayHarness> StartAsync(List<ITestWorker> workers, string extraYaml = "", double[]? prices = null, bool watchFile = false)
    {
        var yaml = Yaml(workers, extraYaml, prices);
        string? path = null;
        if (watchFile)
        {
            path = Path.Combine(Path.GetTempPath(), $"tpd-gateway-{Guid.NewGuid():N}.yaml");
            await File.WriteAllTextAsync(path, yaml);
        }
        var result = ConfigLoader.Parse(yaml);
        result.Errors.ShouldBeEmpty();
        var logs = new CapturedLogs();
        var server = await GatewayServer.StartAsync(result.Config!, new GatewayOptions
        {
            ConfigPath = path,
            ReloadPoll = TimeSpan.FromMilliseconds(200),
            Logging = b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace),
        });
        return new GatewayHarness(server, workers, logs, path);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Chat(int maxTokens = 8, bool stream = true, string extra = "") =>
        $$"""{"model":"fake-model","messages":[{"role":"user","content":"hello"}],"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    /// <summary>Sends one streaming request and reads it to the end.</summary>
    public async Task<StreamResult> StreamAsync(string body, string path = "v1/chat/completions", CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var worker = response.Headers.TryGetValues("x-tpd-worker", out var v) ? v.First() : null;
        return new StreamResult(response.StatusCode, text, worker, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>Closed-loop load: <paramref name="concurrency"/> clients sending until <paramref name="duration"/> ends.</summary>
    public async Task<List<StreamResult>> LoadAsync(int concurrency, TimeSpan duration, string body, Action<TimeSpan>? onTick = null, Func<bool>? until = null)
    {
        var results = new List<StreamResult>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration && until?.Invoke() != true)
            {
                StreamResult r;
                try
                {
                    r = await StreamAsync(body);
                }
                catch (HttpRequestException e)
                {
                    r = new StreamResult(0, e.Message, null, null);
                }
                lock (results)
                    results.Add(r);
                onTick?.Invoke(clock.Elapsed);
            }
        }));
        return results;
    }

    /// <summary>
    /// Waits for a state the test caused (a request reaching a worker, a log line) instead of sleeping a guess: returns
    /// as soon as it holds, and fails with <paramref name="what"/> after 10 s, far beyond any scheduling delay.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), $"still waiting after 10 s for {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        foreach (var w in Workers)
            await w.DisposeAsync();
        if (ConfigPath is not null)
            File.Delete(ConfigPath);
    }
}

public sealed record StreamResult(HttpStatusCode Status, string Body, string? Worker, TimeSpan? RetryAfter)
{
    public bool Done => Body.Contains("data: [DONE]", StringComparison.Ordinal);
    public bool HasErrorFrame => Body.Contains("data: {\"error\"", StringComparison.Ordinal);
    public bool Ok => Status == HttpStatusCode.OK && Done && !HasErrorFrame;
    public int TokenEvents => Body.Split("\"content\":\"tok", StringSplitOptions.None).Length - 1 + Body.Split("\"text\":\"tok", StringSplitOptions.None).Length - 1;
}

/// <summary>Every log line the gateway writes, for tests that check what is (not) logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return [.. _lines];
        }
    }

    public string All => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines)
                owner._lines.Add($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
