using System.CommandLine;
using Tpd.Cli.Input;
using Tpd.Cli.Rendering;
using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Host;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Nvml;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Cli.Commands;

/// <summary>`tpd doctor`: the troubleshooting matrix as code, each finding with its cost per token.</summary>
internal static class DoctorCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var xml = new Option<string>("--nvidia-smi-xml") { Description = "Audit a saved `nvidia-smi -q -x` file instead of this machine's GPUs" };
        var metrics = new Option<string>("--metrics") { Description = "Serving engine /metrics URL (vLLM, SGLang, TGI), scraped twice a window apart" };
        var window = new Option<string>("--window") { Description = "Seconds between the two samples of --metrics and --watch [default: 10]" };
        var watch = new Option<bool>("--watch") { Description = "Sample the GPUs twice a window apart and report what changed (ECC, throttle counters, PCIe replays)" };
        var weights = new Option<string>("--weights") { Description = "Model weights folder to check for writable files" };
        var price = new Option<string>("--price") { Description = "Price of the server in $/hour (all its GPUs), for live tokens per dollar" };
        var json = new Option<bool>("--json") { Description = "Write the findings as JSON" };
        var command = new Command("doctor", "Why does this GPU host deliver fewer tokens per dollar than it should? Findings with evidence, cost and fix. Exit code 0 clean, 1 warnings, 2 errors.")
        {
            xml, metrics, window, watch, weights, price, json,
        };

        command.SetAction(async (r, ct) =>
        {
            var errors = new InputErrors();
            var windowSeconds = errors.Double("--window", r.GetValue(window), 0.1, 3600, "use seconds such as 10") ?? 10;
            var priceValue = errors.Double("--price", r.GetValue(price), 0.0001, 100_000, "use dollars per hour for the whole server, e.g. 8 x 2.49 = 19.92");
            Uri? metricsUri = null;
            if (r.GetValue(metrics) is { } m && !(Uri.TryCreate(m, UriKind.Absolute, out metricsUri) && metricsUri.Scheme is "http" or "https"))
                errors.Add($"--metrics '{m}' is not an http(s) URL; use e.g. http://127.0.0.1:8000/metrics");
            var xmlPath = r.GetValue(xml);
            if (xmlPath is not null && !File.Exists(xmlPath))
                errors.Add($"--nvidia-smi-xml '{xmlPath}' does not exist; save one with `nvidia-smi -q -x > gpus.xml`");
            var weightsPath = r.GetValue(weights);
            if (weightsPath is not null && !Directory.Exists(weightsPath))
                errors.Add($"--weights '{weightsPath}' is not a folder; give the folder holding the model's .safetensors files");
            if (r.GetValue(watch) && xmlPath is not null)
                errors.Add("--watch samples live GPUs; it cannot be used with --nvidia-smi-xml");
            if (errors.Any)
                return ErrorOutput.Write(stderr, errors.All);

            var span = TimeSpan.FromSeconds(windowSeconds);
            var input = new DoctorInput();
            input = await ReadGpus(input, xmlPath, r.GetValue(watch), span, ct).ConfigureAwait(false);
            input = input with { Host = xmlPath is null ? HostFactsCollector.Collect(new LinuxHostProbe(), weightsPath) : WeightsOnly(weightsPath) };

            LiveEconomics? economics = null;
            if (metricsUri is not null)
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                try
                {
                    var engine = await EngineSampler.SampleAsync(new HttpMetricsSource(http, metricsUri), span, TimeProvider.System, ct).ConfigureAwait(false);
                    input = input with { Engine = engine };
                    if (priceValue is { } dollars)
                        economics = LiveEconomics.From(engine, MoneyRate.FromDollarsPerHour(dollars));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or PrometheusFormatException)
                {
                    return ErrorOutput.Write(stderr, [$"--metrics '{metricsUri}' could not be scraped: {e.Message}; check the server is up and serves Prometheus text there"]);
                }
            }

            var report = DoctorRules.Evaluate(input);
            if (r.GetValue(json))
                stdout.WriteLine(DoctorJson.Serialize(report));
            else
                DoctorReportView.Write(Consoles.For(stdout), report, input, economics);
            return report.ExitCode;
        });
        return command;
    }

    private static HostFacts? WeightsOnly(string? weightsPath) =>
        weightsPath is null ? null : new HostFacts { WeightFiles = new LinuxHostProbe().WeightFiles(weightsPath) };

    /// <summary>NVML first (the driver's own library), then nvidia-smi; a saved XML when given. No GPU is a finding, not a crash.</summary>
    private static async Task<DoctorInput> ReadGpus(DoctorInput input, string? xmlPath, bool watch, TimeSpan window, CancellationToken ct)
    {
        if (xmlPath is not null)
        {
            try
            {
                var report = await new NvidiaSmiFile(xmlPath).ReadAsync(ct).ConfigureAwait(false);
                return input with { Gpus = report.Gpus };
            }
            catch (Exception e) when (e is NvidiaSmiFormatException or GpuSourceUnavailableException)
            {
                return input with { GpuFileError = (xmlPath, e.Message) };
            }
        }

        using var nvml = NvmlReader.TryOpen(out var nvmlError);
        if (nvml is not null)
        {
            var first = nvml.ReadGpus();
            if (!watch)
                return input with { Gpus = first };
            // The window between the samples is spent listening for Xid events (a blocking NVML wait, off the caller's thread).
            var xids = await Task.Run(() => nvml.WatchXids(window, ct), ct).ConfigureAwait(false);
            return input with { Gpus = first, LaterGpus = nvml.ReadGpus(), Window = Duration.FromSeconds(window.TotalSeconds), WatchedXids = xids };
        }

        try
        {
            var smi = new NvidiaSmiProcess();
            var first = await smi.ReadAsync(ct).ConfigureAwait(false);
            if (!watch)
                return input with { Gpus = first.Gpus };
            await Task.Delay(window, ct).ConfigureAwait(false);
            var later = await smi.ReadAsync(ct).ConfigureAwait(false);
            return input with { Gpus = first.Gpus, LaterGpus = later.Gpus, Window = Duration.FromSeconds(window.TotalSeconds) };
        }
        catch (Exception e) when (e is GpuSourceUnavailableException or NvidiaSmiFormatException)
        {
            return input with { GpuSourceError = $"NVML: {nvmlError}; nvidia-smi: {e.Message}" };
        }
    }
}
