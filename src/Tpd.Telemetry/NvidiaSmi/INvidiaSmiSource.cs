namespace Tpd.Telemetry.NvidiaSmi;

/// <summary>Where `nvidia-smi -q -x` text comes from: the live tool, or a saved file for offline audits.</summary>
public interface INvidiaSmiSource
{
    /// <summary>Reads and parses one report. Throws <see cref="GpuSourceUnavailableException"/> when there is nothing to read.</summary>
    Task<NvidiaSmiReport> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>No GPU data could be read (no driver, no nvidia-smi, unreadable file); the doctor turns this into a finding.</summary>
public sealed class GpuSourceUnavailableException : Exception
{
    public GpuSourceUnavailableException(string message)
        : base(message)
    {
    }

    public GpuSourceUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public GpuSourceUnavailableException()
    {
    }
}

/// <summary>A saved `nvidia-smi -q -x` file (`--nvidia-smi-xml FILE`).</summary>
public sealed class NvidiaSmiFile(string path) : INvidiaSmiSource
{
    public async Task<NvidiaSmiReport> ReadAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            // One character past the limit at most, never the whole of a huge file; the parser reports it.
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            text = await BoundedText.ReadAsync(reader, SmiLimits.MaxXmlChars, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GpuSourceUnavailableException($"cannot read nvidia-smi XML file '{path}': {e.Message}; save one with `nvidia-smi -q -x > smi.xml`", e);
        }

        return NvidiaSmiXmlParser.Parse(text);
    }
}

/// <summary>Runs `nvidia-smi -q -x` and parses its output; bounded by <paramref name="timeout"/> (a hung driver must not hang the doctor).</summary>
public sealed class NvidiaSmiProcess(string executable = "nvidia-smi", TimeSpan? timeout = null) : INvidiaSmiSource
{
    /// <summary>nvidia-smi normally answers in well under a second; 30 s covers a driver still loading its first GPU.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public async Task<NvidiaSmiReport> ReadAsync(CancellationToken cancellationToken)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(executable, ["-q", "-x"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        System.Diagnostics.Process? process;
        try
        {
            process = System.Diagnostics.Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GpuSourceUnavailableException($"cannot run '{executable}': {e.Message}; install the NVIDIA driver or pass a saved file with --nvidia-smi-xml", e);
        }

        if (process is null)
            throw new GpuSourceUnavailableException($"cannot run '{executable}'");
        using (process)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout ?? DefaultTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new GpuSourceUnavailableException($"'{executable} -q -x' did not answer within {(timeout ?? DefaultTimeout).TotalSeconds} s; the driver may be hung (check the kernel log for Xid errors)");
            }

            var output = await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var err = (await stderr.ConfigureAwait(false)).Trim();
                throw new GpuSourceUnavailableException($"'{executable} -q -x' exited with {process.ExitCode}: {(err.Length > 0 ? err : output.Trim())}");
            }

            return NvidiaSmiXmlParser.Parse(output);
        }
    }
}
