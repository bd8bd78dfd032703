using System.Text.Json;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Records;

/// <summary>
/// Writes one JSON line per request as it finishes and flushes it to the operating system at once, so a
/// Ctrl-C or a crash loses nothing already measured. Safe to call from many requests at once.
/// </summary>
public sealed class JsonlRecordWriter : IDisposable, IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JsonlRecordWriter(Stream stream, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
    }

    /// <summary>Creates (or truncates) the file; other processes may read it while the run goes on.</summary>
    public static JsonlRecordWriter Create(string path)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 4096, useAsync: true);
        return new JsonlRecordWriter(stream, ownsStream: true);
    }

    public int Written { get; private set; }

    public Task WriteAsync(RequestRecord record, CancellationToken cancellationToken = default) => WriteAsync(record, null, cancellationToken);

    /// <summary>Writes the record with a <c>"point"</c> field first (a sweep point's label) when <paramref name="point"/> is given.</summary>
    public async Task WriteAsync(RequestRecord record, string? point, CancellationToken cancellationToken = default)
    {
        var line = Serialize(record, point);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await _stream.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            Written++;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static byte[] Serialize(RequestRecord record) =>
        JsonSerializer.SerializeToUtf8Bytes(record, RecordJsonContext.Default.RequestRecord);

    /// <summary>
    /// The record's JSON with <c>"point": LABEL</c> as its first field. Readers of plain records skip the unknown
    /// field; <see cref="ReadLabelled"/> returns it.
    /// </summary>
    public static byte[] Serialize(RequestRecord record, string? point)
    {
        var json = Serialize(record);
        if (point is null)
            return json;
        var label = JsonSerializer.SerializeToUtf8Bytes(point, RecordJsonContext.Default.String);
        var prefix = "{\"point\":"u8;
        var line = new byte[prefix.Length + label.Length + 1 + json.Length - 1];
        prefix.CopyTo(line);
        label.CopyTo(line, prefix.Length);
        // Every record has fields, so a comma always follows the label.
        line[prefix.Length + label.Length] = (byte)',';
        json.AsSpan(1).CopyTo(line.AsSpan(prefix.Length + label.Length + 1));
        return line;
    }

    /// <summary>Reads records with their sweep point label (null on lines without one).</summary>
    public static IEnumerable<(string? Point, RequestRecord Record)> ReadLabelled(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            RequestRecord? r;
            PointLabel? label;
            try
            {
                r = JsonSerializer.Deserialize(line, RecordJsonContext.Default.RequestRecord);
                label = JsonSerializer.Deserialize(line, RecordJsonContext.Default.PointLabel);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"line {n} is not a request record ({ex.Message}): {Truncate(line)}", ex);
            }

            yield return (label?.Point, r ?? throw new FormatException($"line {n} is null; expected a request record object"));
        }
    }

    /// <summary>Reads records back from JSONL text (blank lines skipped); a bad line names its number.</summary>
    public static IEnumerable<RequestRecord> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            RequestRecord? r;
            try
            {
                r = JsonSerializer.Deserialize(line, RecordJsonContext.Default.RequestRecord);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"line {n} is not a request record ({ex.Message}): {Truncate(line)}", ex);
            }

            yield return r ?? throw new FormatException($"line {n} is null; expected a request record object");
        }
    }

    private static string Truncate(string s) => s.Length <= 120 ? s : string.Concat(s.AsSpan(0, 120), "...");

    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
        _gate.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
            await _stream.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
