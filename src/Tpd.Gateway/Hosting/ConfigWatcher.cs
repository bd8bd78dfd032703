using Microsoft.Extensions.Logging;
using Tpd.Gateway.Config;

namespace Tpd.Gateway.Hosting;

/// <summary>
/// Reloads the config file when it changes: a FileSystemWatcher for speed, plus a poll of its write time and
/// length as a fallback (watchers miss events on some network and container file systems, and editors that
/// replace the file by renaming). A bad file is rejected with every error logged; the old config stays.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private readonly string _path;
    private readonly string? _listenOverride;
    private readonly GatewayRuntime _rt;
    private readonly ILogger _log;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private const int SettleReads = 10;
    private string _seen;

    public ConfigWatcher(string path, string? listenOverride, GatewayRuntime rt, ILogger log)
    {
        _path = Path.GetFullPath(path);
        _listenOverride = listenOverride;
        _rt = rt;
        _log = log;
        _seen = Read();
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => _ = CheckAsync();
            _watcher.Created += (_, _) => _ = CheckAsync();
            _watcher.Renamed += (_, _) => _ = CheckAsync();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher = null; // the poll still works
        }
    }

    /// <summary>Poll fallback: every <paramref name="interval"/> until cancelled.</summary>
    public async Task PollAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _rt.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await CheckAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reloads when the file's content changed; concurrent triggers collapse into one read.</summary>
    public async Task CheckAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Editors write in steps; a short pause lets the write finish before reading.
            await Task.Delay(TimeSpan.FromMilliseconds(50), _rt.Time).ConfigureAwait(false);
            var text = Read();
            if (text == _seen)
                return;
            var result = Parse(text);
            // A file written in place is invalid until its last write lands (a loaded machine or an editor can pause
            // mid-file): re-read for up to a second before rejecting it. A valid file applies at once.
            for (var i = 0; !result.Ok && i < SettleReads; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _rt.Time).ConfigureAwait(false);
                var again = Read();
                if (again != text)
                    (text, result) = (again, Parse(again));
            }

            _seen = text;
            if (result.Ok)
                _rt.Apply(result.Config!);
            else
                Reject(result.Errors);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ConfigResult Parse(string text) =>
        text.Length == 0 ? new ConfigResult(null, ["the file is empty or missing"]) : ConfigLoader.Parse(text, _path, _listenOverride);

    private void Reject(IReadOnlyList<string> errors)
    {
        // Logged before counted: whoever watches the counter finds the reasons already written.
        foreach (var e in errors)
            Log.ReloadRejected(_log, e);
        _rt.Counters.Reloaded(false);
    }

    /// <summary>The file's text ("" when missing). Compared whole: configs are small, and content is what matters, not times.</summary>
    private string Read()
    {
        try
        {
            return File.Exists(_path) ? File.ReadAllText(_path) : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return _seen;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _gate.Dispose();
    }
}
