using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tpd.Gateway.Hosting;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Proxy;

/// <summary>
/// <c>GET /v1/models</c>: the union of the models of every healthy, undrained worker, deduplicated by id in worker
/// order (a model's entry, <c>owned_by</c> and any engine fields included, is the first worker's that lists it),
/// in the OpenAI list shape. Workers are asked at once, each within health.timeout_seconds; one that fails or
/// answers something other than a model list is left out. The answer is kept for <see cref="CacheFor"/> so
/// clients that list models before every request do not fan out to the pool each time; a change in which workers
/// are eligible (drain, ejection, readmission, reload) asks again at once.
/// </summary>
internal sealed class ModelsCatalog
{
    /// <summary>
    /// How long a union is reused. Served models change only when an engine restarts with other flags, which also
    /// fails its health checks (ejection changes the eligible set, so the cache is bypassed); 5 s bounds the
    /// staleness otherwise.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly GatewayRuntime _rt;
    private readonly HttpMessageInvoker _http;
    private readonly Lock _lock = new();
    private Entry? _entry;

    public ModelsCatalog(GatewayRuntime runtime, HttpMessageInvoker http)
    {
        _rt = runtime;
        _http = http;
    }

    private sealed record Entry(Snapshot Snapshot, WorkerState[] Workers, long FetchedAt, Task<byte[]?> Union);

    public async Task WriteAsync(HttpContext ctx)
    {
        byte[]? union;
        try
        {
            union = await CurrentAsync().WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return; // the client left; the shared fetch goes on for the next caller
        }
        if (union is null)
        {
            await ErrorBodies.WriteAsync(ctx.Response, 503, "no healthy, undrained worker answered /v1/models", "service_unavailable", _rt.Current.Config.Limits.RetryAfterSeconds).ConfigureAwait(false);
            return;
        }
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = union.Length;
        await ctx.Response.Body.WriteAsync(union, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The cached union while fresh and for the same eligible workers; otherwise one fetch shared by every caller that asks meanwhile.</summary>
    internal Task<byte[]?> CurrentAsync()
    {
        var snapshot = _rt.Current;
        var eligible = Array.FindAll(snapshot.Workers, w => w.Eligible);
        lock (_lock)
        {
            // A reload (new snapshot) may have changed a worker's URL or key behind the same state object: ask again.
            if (_entry is { } e && ReferenceEquals(e.Snapshot, snapshot) && e.Workers.SequenceEqual(eligible) && !Stale(e))
                return e.Union;
            var entry = new Entry(snapshot, eligible, _rt.Time.GetTimestamp(), FetchUnionAsync(snapshot, eligible));
            _entry = entry;
            return entry.Union;
        }
    }

    /// <summary>Fresh for <see cref="CacheFor"/>; a fetch that failed or is still running counts as fresh only while running.</summary>
    private bool Stale(Entry e)
    {
        if (!e.Union.IsCompleted)
            return false;
        if (!e.Union.IsCompletedSuccessfully || e.Union.Result is null)
            return true;
        return _rt.Time.GetElapsedTime(e.FetchedAt) >= CacheFor;
    }

    private async Task<byte[]?> FetchUnionAsync(Snapshot snapshot, WorkerState[] workers)
    {
        if (workers.Length == 0)
            return null;
        var timeout = snapshot.Config.Health.Timeout;
        var lists = await Task.WhenAll(workers.Select(w => FetchAsync(w, timeout))).ConfigureAwait(false);
        try
        {
            return Union(lists);
        }
        finally
        {
            foreach (var doc in lists)
                doc?.Dispose();
        }
    }

    private async Task<JsonDocument?> FetchAsync(WorkerState worker, TimeSpan timeout)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, worker.ModelsUri);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (worker.UpstreamAuthorization is { } auth)
                message.Headers.TryAddWithoutValidation("Authorization", auth);
            using var cts = new CancellationTokenSource(timeout);
            using var response = await _http.SendAsync(message, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return null;
            var bytes = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
            var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                return doc;
            doc.Dispose();
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            return null; // left out of the union; its health checks decide whether it stays eligible
        }
    }

    /// <summary>
    /// <c>{"object":"list","data":[...]}</c> with each id once, taken from the first list (in worker order) that has
    /// it; null when no worker answered with a list.
    /// </summary>
    internal static byte[]? Union(IReadOnlyList<JsonDocument?> lists)
    {
        if (lists.All(l => l is null))
            return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var list in lists)
            {
                if (list is null)
                    continue;
                foreach (var model in list.RootElement.GetProperty("data").EnumerateArray())
                {
                    if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && seen.Add(id.GetString()!))
                        model.WriteTo(w);
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
