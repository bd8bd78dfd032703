using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Model.Estimate;
using Tpd.Model.Replicas;
using Tpd.Simulation.Engine;
using Tpd.Twin.Server;

namespace Tpd.Cli.Commands;

/// <summary>
/// `tpd twin`: a GPU-less, OpenAI-compatible stand-in for a vLLM server. Its replica is the simulate command's
/// (same options, same step cost, same scheduler), played on the wall clock.
/// </summary>
internal static class TwinCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IFiles files)
    {
        var setup = new EstimateOptions();
        var servedName = new Option<string>("--served-model-name") { Description = "Name clients send as \"model\" [default: the --model value]" };
        var host = new Option<string>("--host") { Description = "Address to bind [default: 127.0.0.1; 0.0.0.0 exposes the twin to the network]" };
        var port = new Option<string>("--port") { Description = "TCP port, 0 for any free one [default: 8000, as vLLM]" };
        var timeFactor = new Option<string>("--time-factor") { Description = "Simulated seconds per wall second: 10 runs the GPU ten times faster [default: 1]" };
        var zeroDelay = new Option<bool>("--zero-delay") { Description = "Emit every token at once, without the simulator (to measure a client's capacity)" };
        var maxModelLen = new Option<string>("--max-model-len") { Description = "Longest prompt + output per request [default: the model's context, capped by what the KV cache holds]" };
        var seed = new Option<string>("--seed") { Description = "Seed of output lengths, words and fault draws [default: 1]" };
        var duration = new Option<string>("--duration") { Description = "Stop after this many seconds [default: run until Ctrl-C]" };
        var errorRate = new Option<string>("--error-rate") { Description = "Share of requests failed before streaming, by status: \"429=0.1,503=0.02\" (400, 429, 500, 503)" };
        var retryAfter = new Option<string>("--retry-after") { Description = "Retry-After seconds on injected 429 and 503 [default: 1]" };
        var spikeP = new Option<string>("--spike-probability") { Description = "Chance that an engine step stalls [default: 0]" };
        var spikeS = new Option<string>("--spike-seconds") { Description = "Wall seconds a stalled step adds [default: 0]" };
        var slowdown = new Option<string>("--slowdown") { Description = "Every step takes this many times longer, e.g. 1.25 for thermal throttling [default: 1]" };
        var cutP = new Option<string>("--cut-probability") { Description = "Chance that a stream is cut (connection reset, no [DONE]) [default: 0]" };
        var errorP = new Option<string>("--stream-error-probability") { Description = "Chance that a stream ends with an error frame and [DONE] [default: 0]" };
        var cutAfter = new Option<string>("--cut-after") { Description = "Tokens a cut or failed stream delivers first [default: 8]" };
        var tokensDetails = new Option<bool>("--enable-prompt-tokens-details") { Description = "Report prefix-cache hits in usage.prompt_tokens_details.cached_tokens, as vLLM's flag" };
        var refuse = new Option<bool>("--refuse-connections") { Description = "Reset every request's connection at once (a server that is down); lift it with POST /twin/faults" };

        var command = new Command("twin", "Serve an OpenAI-compatible stand-in for a vLLM server whose timing comes from the simulator: batching, queueing and KV pressure as on the GPU, no GPU needed.");
        foreach (var o in new Option[] { setup.Model, setup.Gpu, setup.Catalog, setup.Tp, setup.Pp, setup.Weights, setup.Kv, setup.GpuMemoryUtilization, setup.GpuMemory, setup.BlockSize, setup.MaxNumSeqs, setup.MaxBatchedTokens, maxModelLen, setup.Mfu, setup.Mbu, setup.StepOverheadMs })
            command.Options.Add(o);
        foreach (var o in new Option[] { servedName, host, port, timeFactor, zeroDelay, tokensDetails, seed, duration, errorRate, retryAfter, spikeP, spikeS, slowdown, cutP, errorP, cutAfter, refuse })
            command.Options.Add(o);

        command.SetAction(async (r, ct) =>
        {
            var errors = new InputErrors();
            var request = EstimateInput.Read(r, setup, files, errors);
            var hostText = r.GetValue(host) ?? "127.0.0.1";
            if (!hostText.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(hostText, out _))
                errors.Add($"--host '{hostText}' is not an IP address; use 127.0.0.1 (default), 0.0.0.0 for every interface, or an address of this machine");
            var portValue = errors.Int("--port", r.GetValue(port), 0, 65535, "use a TCP port such as 8000, or 0 for any free port") ?? 8000;
            var factor = errors.Double("--time-factor", r.GetValue(timeFactor), 0.001, 1_000_000, "use 1 for real time, 10 for ten times faster") ?? 1;
            var modelLen = errors.Int("--max-model-len", r.GetValue(maxModelLen), 2, 100_000_000, "use tokens such as 8192");
            var seedValue = errors.Int("--seed", r.GetValue(seed), 0, int.MaxValue, "use a whole number") ?? 1;
            var seconds = errors.Double("--duration", r.GetValue(duration), 0.1, 365 * 86_400.0, "use seconds such as 60, or leave it out to run until Ctrl-C");
            var faults = ReadFaults(r, errors, errorRate, retryAfter, spikeP, spikeS, slowdown, cutP, errorP, cutAfter, refuse);
            if (request is null || faults is null || errors.Any)
                return ErrorOutput.Write(stderr, errors.All);

            var assembly = new ReplicaBuilder(request.Model).Build(request.Replica);
            if (assembly is ReplicaDeficit deficit)
                return ErrorOutput.Write(stderr, [deficit.SummaryWithAdvice]);

            var replica = (AssembledReplica)assembly;
            var engine = EngineOptions.For(replica) with
            {
                // vLLM's default max_model_len is the model's context (max_position_embeddings).
                MaxModelLen = modelLen ?? (request.Model.MaxPositionEmbeddings > 1 ? request.Model.MaxPositionEmbeddings : null),
            };
            var options = new TwinOptions
            {
                ServedModelName = r.GetValue(servedName) ?? r.GetValue(setup.Model) ?? EstimateOptions.DefaultModel,
                Engine = engine,
                Cost = replica.StepModel,
                Host = hostText,
                Port = portValue,
                TimeFactor = factor,
                ZeroDelay = r.GetValue(zeroDelay),
                EnablePromptTokensDetails = r.GetValue(tokensDetails),
                Seed = seedValue,
                Faults = faults,
            };
            var invalid = options.Validate();
            if (invalid.Count > 0)
                return ErrorOutput.Write(stderr, invalid);

            TwinHost twin;
            try
            {
                twin = await TwinServer.StartAsync(options, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"error: cannot listen on {hostText}:{portValue}: {e.Message}; pick another --port (0 for any free one) or stop what holds it");
                return 1;
            }

            await using (twin.ConfigureAwait(false))
            {
                var single = Estimator.Estimate(request).Single;
                TwinBanner.Write(stdout, new TwinBannerView(twin, request, replica.Memory, single));
                if (!IsLoopback(hostText))
                    stderr.WriteLine($"warning: the twin listens on {hostText}, reachable from other machines; it has no authentication. Use --host 127.0.0.1 unless that is what you want.");
                // Ctrl-C and SIGTERM stop the twin cleanly (the root command's invocation does not cancel on them).
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                void Stop(PosixSignalContext c)
                {
                    c.Cancel = true;
                    stop.Cancel();
                }

                try
                {
                    await Task.Delay(seconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C: stop cleanly.
                }

                stdout.WriteLine("tpd twin: stopped.");
            }

            return 0;
        });
        return command;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static TwinFaults? ReadFaults(ParseResult r, InputErrors errors, Option<string> errorRate, Option<string> retryAfter, Option<string> spikeP, Option<string> spikeS, Option<string> slowdown, Option<string> cutP, Option<string> errorP, Option<string> cutAfter, Option<bool> refuse)
    {
        var rates = new Dictionary<int, double>();
        if (r.GetValue(errorRate) is { } text)
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length == 2
                    && int.TryParse(kv[0], NumberStyles.None, CultureInfo.InvariantCulture, out var status) && TwinFaults.Statuses.Contains(status)
                    && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1)
                    rates[status] = share;
                else
                    errors.Add($"--error-rate '{part}' is not STATUS=SHARE; use e.g. \"429=0.1,503=0.02\" with statuses {string.Join(", ", TwinFaults.Statuses)} and shares in [0, 1]");
            }
        }

        var faults = new TwinFaults
        {
            ErrorRates = rates,
            RetryAfterSeconds = errors.Int("--retry-after", r.GetValue(retryAfter), 0, 86_400, "use whole seconds such as 1") ?? 1,
            SpikeProbability = errors.Double("--spike-probability", r.GetValue(spikeP), 0, 1, "use a probability such as 0.01") ?? 0,
            SpikeSeconds = errors.Double("--spike-seconds", r.GetValue(spikeS), 0, 3600, "use seconds such as 0.5") ?? 0,
            Slowdown = errors.Double("--slowdown", r.GetValue(slowdown), 0.01, 1000, "use a factor such as 1.25 (25 % slower)") ?? 1,
            CutProbability = errors.Double("--cut-probability", r.GetValue(cutP), 0, 1, "use a probability such as 0.05") ?? 0,
            StreamErrorProbability = errors.Double("--stream-error-probability", r.GetValue(errorP), 0, 1, "use a probability such as 0.05") ?? 0,
            CutAfterTokens = errors.Int("--cut-after", r.GetValue(cutAfter), 0, 10_000_000, "use tokens such as 8") ?? 8,
            RefuseConnections = r.GetValue(refuse),
        };
        if (errors.Any)
            return null;
        var invalid = faults.Validate();
        errors.AddRange(invalid);
        return invalid.Count == 0 ? faults : null;
    }
}
