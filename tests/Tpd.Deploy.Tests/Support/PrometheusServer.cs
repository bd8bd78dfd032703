using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Tpd.Deploy.Tests.Support;

/// <summary>
/// A real Prometheus (Debian's package) on a free loopback port with its storage in a temp folder, scraping the
/// given targets. Disposing kills it and deletes the folder; it also stops when the test host dies (killed with
/// the process tree by the runner's timeout at the latest).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string dir, Uri baseUri)
    {
        _process = process;
        _dir = dir;
        BaseUri = baseUri;
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseUri { get; }

    /// <param name="config">prometheus.yml text; rule files it names are relative to <paramref name="files"/>' folder.</param>
    /// <param name="files">Extra files (rule files) written next to prometheus.yml.</param>
    public static async Task<PrometheusServer> StartAsync(string config, IReadOnlyDictionary<string, string> files)
    {
        var prometheus = Tools.Require("prometheus", "apt-get install prometheus; .ci/run installs it");
        var dir = Directory.CreateTempSubdirectory("tpd-prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), config);
        foreach (var (name, text) in files)
            await File.WriteAllTextAsync(Path.Combine(dir, name), text);

        var port = FreePort();
        var psi = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (var a in new[]
        {
            "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn",
        })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start prometheus");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PrometheusServer(process, dir, new Uri($"http://127.0.0.1:{port}/"));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"prometheus exited with {process.ExitCode}:\n{log}");
            try
            {
                using var ready = await server._http.GetAsync("-/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                await server.DisposeAsync();
                throw new TimeoutException($"prometheus not ready after 30 s:\n{log}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>An instant query: each series' labels and value.</summary>
    public async Task<List<Sample>> QueryAsync(string promql)
    {
        using var doc = await GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        var data = doc.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => [.. result.EnumerateArray().Select(s => new Sample(Labels(s), Value(s.GetProperty("value"))))],
            "scalar" => [new Sample(new Dictionary<string, string>(), Value(result))],
            var t => throw new InvalidOperationException($"unexpected result type {t} for {promql}"),
        };
    }

    /// <summary>A range query at <paramref name="step"/>: every series' values over [start, end].</summary>
    public async Task<List<(Dictionary<string, string> Labels, double[] Values)>> QueryRangeAsync(string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var url = FormattableString.Invariant(
            $"api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={start.ToUnixTimeMilliseconds() / 1e3}&end={end.ToUnixTimeMilliseconds() / 1e3}&step={step.TotalSeconds}");
        using var doc = await GetAsync(url);
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => (Labels(s), s.GetProperty("values").EnumerateArray().Select(Value).ToArray()))];
    }

    /// <summary>Any path of the HTTP API, as JSON (status "success" checked).</summary>
    public async Task<JsonDocument> GetAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {pathAndQuery}: {body}");
        var doc = JsonDocument.Parse(body);
        doc.RootElement.GetProperty("status").GetString().ShouldBe("success", body);
        return doc;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying process: the temp folder is left behind, nothing else.
        }
    }

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    private static double Value(JsonElement pair) =>
        pair[1].GetString() switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record Sample(Dictionary<string, string> Labels, double Value);
