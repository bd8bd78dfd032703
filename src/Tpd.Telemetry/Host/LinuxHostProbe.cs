namespace Tpd.Telemetry.Host;

/// <summary>
/// Linux host facts from files: /proc/sys/kernel/osrelease, /var/log/{kern.log,syslog,messages} (and their
/// ".1" rotations), /proc/net/tcp and /proc/net/tcp6. Every path is taken relative to <paramref name="root"/>
/// ("/" on a real host). Unreadable files are skipped, never fatal: a doctor run as an ordinary user still reports the rest.
/// NIC ring sizes are not in /sys: <paramref name="ethtool"/> returns `ethtool -g IFACE` output (null when it cannot),
/// by default by running ethtool; tests pass recorded output.
/// </summary>
public sealed class LinuxHostProbe(string root = "/", Func<string, string?>? ethtool = null) : IHostProbe
{
    /// <summary>Kernel log files in the order distributions use them (Debian/Ubuntu kern.log and syslog, RHEL messages).</summary>
    public static readonly string[] KernelLogFiles =
        ["var/log/kern.log", "var/log/kern.log.1", "var/log/syslog", "var/log/syslog.1", "var/log/messages", "var/log/messages.1"];

    /// <summary>Extensions of model weight files (safetensors, PyTorch, GGUF, ONNX, checkpoints).</summary>
    public static readonly string[] WeightExtensions = [".safetensors", ".bin", ".pt", ".pth", ".gguf", ".onnx", ".ckpt"];

    public bool IsLinux => OperatingSystem.IsLinux() || root != "/";

    public string? KernelRelease() => ReadText("proc/sys/kernel/osrelease")?.Trim() is { Length: > 0 } r ? r : null;

    public IEnumerable<(string Path, IEnumerable<string> Lines)> KernelLogs()
    {
        foreach (var rel in KernelLogFiles)
        {
            var path = Path.Combine(root, rel);
            if (!File.Exists(path))
                continue;
            IEnumerable<string> lines;
            try
            {
                // Materialised so an unreadable file fails here (and is skipped) rather than during enumeration.
                lines = File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            yield return ("/" + rel, lines);
        }
    }

    public IReadOnlyList<ListeningSocket> ListeningSockets()
    {
        var sockets = new List<ListeningSocket>();
        foreach (var rel in (string[])["proc/net/tcp", "proc/net/tcp6"])
        {
            if (ReadText(rel) is { } text)
                sockets.AddRange(ProcNetTcpParser.ParseListening(text));
        }

        return sockets;
    }

    /// <summary>Where packages install executables (PATH is not trusted: the doctor may run under sudo with a reset PATH).</summary>
    public static readonly string[] BinFolders = ["usr/bin", "usr/local/bin", "usr/sbin", "bin", "sbin"];

    public bool? IommuEnabled()
    {
        var groups = Path.Combine(root, "sys/kernel/iommu_groups");
        try
        {
            return Directory.Exists(groups) ? Directory.EnumerateFileSystemEntries(groups).Any() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool AnyExecutable(params string[] names) =>
        BinFolders.Any(dir => names.Any(n => File.Exists(Path.Combine(root, dir, n))));

    public IReadOnlyList<NicRing> NicRings()
    {
        var net = Path.Combine(root, "sys/class/net");
        var rings = new List<NicRing>();
        try
        {
            if (!Directory.Exists(net))
                return rings;
            // Only interfaces backed by a device: lo, bridges, veths and tunnels have no rings worth tuning.
            foreach (var dir in Directory.EnumerateDirectories(net).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(dir);
                if (!Path.Exists(Path.Combine(dir, "device")))
                    continue;
                var text = (ethtool ?? RunEthtool)(name);
                if (text is not null && EthtoolRingParser.Parse(name, text) is { } ring)
                    rings.Add(ring);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable /sys: no ring facts, as with every other probe.
        }

        return rings;
    }

    private string? RunEthtool(string iface)
    {
        var exe = BinFolders.Select(d => Path.Combine(root, d, "ethtool")).FirstOrDefault(File.Exists);
        if (exe is null)
            return null;
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(exe, ["-g", iface])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (p is null)
                return null;
            var output = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(2_000))
            {
                p.Kill();
                return null;
            }

            return p.ExitCode == 0 ? output.Result : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    public IReadOnlyList<WeightFileMode> WeightFiles(string folder)
    {
        if (OperatingSystem.IsWindows())
            return [];
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"weights folder '{folder}' does not exist; pass the folder that holds the model's *.safetensors files");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        var result = new List<WeightFileMode>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal))
        {
            if (!WeightExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                continue;
            try
            {
                // Hugging Face caches keep symbolic links in snapshots/ pointing at blobs/: the target's mode is what protects the bytes.
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
                result.Add(new WeightFileMode(path, File.GetUnixFileMode(target)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
        }

        return result;
    }

    private string? ReadText(string rel)
    {
        try
        {
            var path = Path.Combine(root, rel);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
