using System.Net.Http.Headers;
using System.Text.Json;

namespace Tpd.Bench.Http;

/// <summary>What GET /v1/models said: the model ids, or why there are none to use.</summary>
public sealed record DiscoveredModels(IReadOnlyList<string> Ids, string? Problem)
{
    /// <summary>The one model to load when the user named none; null when there are none or several.</summary>
    public string? Single => Ids.Count == 1 ? Ids[0] : null;
}

/// <summary>
/// Lists the models an OpenAI-compatible server serves (GET /v1/models), so `tpd bench` can load the only one
/// without --served-model, as vLLM, SGLang, TGI and llama.cpp each serve one model per process.
/// </summary>
public static class ModelDiscovery
{
    public static async Task<DiscoveredModels> ListAsync(Uri baseUri, string? apiKey, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(10);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v1/models"));
        if (apiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new([], $"GET {request.RequestUri} answered {(int)response.StatusCode}: {Clip(text)}");
            return Parse(text) is { } ids ? new(ids, ids.Count == 0 ? $"GET {request.RequestUri} listed no models" : null)
                : new([], $"GET {request.RequestUri} did not answer an OpenAI model list: {Clip(text)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new([], $"GET {request.RequestUri} failed: {e.Message}");
        }
    }

    /// <summary>The ids of an OpenAI list ({"object": "list", "data": [{"id": ...}]}); null when the text is not one.</summary>
    public static IReadOnlyList<string>? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                return null;
            return data.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("id").GetString()!)
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
