using System.Diagnostics;
using System.Text.Json;

namespace Tpd.Cli.Tests;

/// <summary>The built `tpd` as a real child process: exit codes, streams and redirected output as a user sees them.</summary>
public class ProcessTests
{
    private static (int Code, string Out, string Err) Tpd(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(TpdCli).Assembly.Location);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(true);
            throw new TimeoutException("tpd did not exit within 60 s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Estimate_json_from_a_real_process_parses_and_exits_0()
    {
        var (code, stdout, stderr) = Tpd("estimate", "--json");
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("fits").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Twin_from_a_real_process_takes_vllms_flags_and_reports_cached_tokens()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(TpdCli).Assembly.Location, "twin", "--port", "0", "--duration", "30", "--time-factor", "100",
            "--max-num-batched-tokens", "2048", "--enable-prompt-tokens-details" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            // The banner names the URL and the scheduler limits before the twin takes requests.
            var banner = new List<string>();
            Uri? url = null;
            // A twin that never prints its banner is killed, which ends the read.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
            using var kill = timeout.Token.Register(() => p.Kill(true));
            while (!banner.Any(l => l.Trim().StartsWith("scheduler ", StringComparison.Ordinal)) && await p.StandardOutput.ReadLineAsync() is { } line)
            {
                banner.Add(line);
                if (line.Trim().StartsWith("url ", StringComparison.Ordinal))
                    url = new Uri(line.Trim()[4..].Trim());
            }

            url.ShouldNotBeNull(string.Join("\n", banner));
            banner.ShouldContain(l => l.Contains("max_num_batched_tokens 2,048", StringComparison.Ordinal));

            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(20) };
            var body = "{\"model\":\"llama-3.1-8b\",\"prompt\":[" + string.Join(',', Enumerable.Range(1000, 64)) + "],\"max_tokens\":4}";
            async Task<JsonElement> Usage()
            {
                using var response = await http.PostAsync(new Uri("v1/completions", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return doc.RootElement.GetProperty("usage").Clone();
            }

            (await Usage()).GetProperty("prompt_tokens_details").ValueKind.ShouldBe(JsonValueKind.Null);
            // 64 prompt tokens are four full blocks of 16; vLLM recomputes the last prompt token, so three blocks hit.
            (await Usage()).GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32().ShouldBeGreaterThanOrEqualTo(48);
        }
        finally
        {
            p.Kill(true);
            await p.WaitForExitAsync();
        }
    }

    [Fact]
    public void Bad_input_from_a_real_process_exits_2_with_errors_on_stderr_only()
    {
        var (code, stdout, stderr) = Tpd("estimate", "--gpu", "h1000");
        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.ShouldStartWith("error: unknown GPU 'h1000'");
    }
}
