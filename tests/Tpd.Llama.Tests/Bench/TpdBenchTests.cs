using System.Diagnostics;
using System.Text.Json;
using Tpd.Bench.Http;
using Tpd.Bench.Load;
using Tpd.Bench.Load.Sources;
using Tpd.Bench.Streaming;
using Tpd.Core.Measurement;
using Tpd.Llama.Tests.Support;

namespace Tpd.Llama.Tests.Bench;

/// <summary>tpd's own load generator, in-process and as the `tpd bench` command, measures the real engine.</summary>
[Collection(nameof(SharedEngine))]
public class TpdBenchTests(LlamaFixture llama)
{
    [Fact]
    public async Task The_probe_finds_every_capability_and_the_load_runner_gets_exact_lengths()
    {
        var clock = RunClock.From(TimeProvider.System);
        var endpoint = new EndpointOptions { BaseUri = llama.BaseUri, Model = "tpd-llama", RequestTimeout = TimeSpan.FromSeconds(30) };
        using var client = new OpenAiStreamClient(endpoint, clock);

        var probe = await CapabilityProbe.ProbeAsync(client, endpoint);
        client.Capabilities = probe.Capabilities;
        var result = await new LoadRunner(client, new RandomTokenSource(64, 32), clock).RunAsync(new LoadPlan { Concurrency = 4, MaxRequests = 16, MaxDuration = TimeSpan.FromSeconds(60) });

        probe.Warnings.ShouldBeEmpty();
        probe.Capabilities.ShouldBe(new ServerCapabilities { UsageChunk = true, TokenIdPrompts = true, IgnoreEos = true, MinTokens = true });
        var records = result.Records.Where(r => !r.Warmup).ToList();
        records.Count.ShouldBe(16);
        records.ShouldAllBe(r => r.Outcome == RequestOutcome.Ok);
        records.ShouldAllBe(r => r.InputTokens == 64 && r.OutputTokens == 32 && r.OutputTokensSource == TokenCountSource.Usage);
        records.ShouldAllBe(r => r.TtftSeconds > 0 && r.TpotSeconds > 0 && r.InterTokenGaps.Count == 31);
    }

    [Fact]
    public async Task The_server_as_a_process_is_measured_by_the_tpd_bench_command_and_cleans_up_on_sigterm()
    {
        var records = Path.Combine(llama.Model.Folder, "records.jsonl");
        using var server = Start(typeof(Tpd.Llama.Server.LlamaServer).Assembly.Location, "--port", "0", "--lifetime", "90");
        string model;
        try
        {
            var banner = await ReadBanner(server);
            var url = banner.Single(l => l.StartsWith("url ", StringComparison.Ordinal))[4..].Trim();
            model = banner.Single(l => l.StartsWith("model ", StringComparison.Ordinal)).Split(" at ")[^1];
            File.Exists(model).ShouldBeTrue(model);

            var (code, output) = await Run(Start(typeof(Tpd.Cli.TpdCli).Assembly.Location,
                "bench", "--url", url, "--concurrency", "4", "--requests", "16", "--input", "64", "--output", "32", "--records", records));

            code.ShouldBe(0, output);
            output.ShouldContain("16 requests (16 ok, 0 incomplete, 0 errors)");
            output.ShouldContain("16/16 exact");
            var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).Where(r => !r.GetProperty("warmup").GetBoolean()).ToList();
            lines.Count.ShouldBe(16);
            lines.ShouldAllBe(r => r.GetProperty("outcome").GetString() == "Ok" && r.GetProperty("input_tokens").GetInt32() == 64 && r.GetProperty("output_tokens").GetInt32() == 32);
            lines.ShouldAllBe(r => r.GetProperty("ttft_seconds").GetDouble() > 0 && r.GetProperty("tpot_seconds").GetDouble() > 0);
        }
        finally
        {
            await Terminate(server);
        }

        // SIGTERM (as `kill` or a container stop sends) stops the server, which deletes the model it wrote.
        server.ExitCode.ShouldBe(0);
        Directory.Exists(Path.GetDirectoryName(model)).ShouldBeFalse();
    }

    /// <summary>SIGTERM through kill(1), then SIGKILL if the process is still there after 15 s.</summary>
    private static async Task Terminate(Process p)
    {
        if (!p.HasExited)
            await Run(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, RedirectStandardOutput = true, RedirectStandardError = true });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            await p.WaitForExitAsync();
        }
    }

    private static Process Start(string dll, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>The banner's lines, trimmed, through the "url" line; a server that prints none within 30 s is killed, which ends the read.</summary>
    private static async Task<List<string>> ReadBanner(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var kill = timeout.Token.Register(() => server.Kill(true));
        var banner = new List<string>();
        while (await server.StandardOutput.ReadLineAsync() is { } line)
        {
            banner.Add(line.Trim());
            if (line.Trim().StartsWith("url ", StringComparison.Ordinal))
                return banner;
        }

        throw new InvalidOperationException("the server printed no url: " + string.Join("\n", banner) + await server.StandardError.ReadToEndAsync());
    }

    private static Task<(int Code, string Output)> Run(ProcessStartInfo start) => Run(Process.Start(start)!);

    private static async Task<(int Code, string Output)> Run(Process p)
    {
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(true);
                throw new TimeoutException("tpd bench did not exit within 60 s");
            }

            return (p.ExitCode, await stdout + await stderr);
        }
    }
}
