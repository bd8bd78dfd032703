using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Tpd.Llama.Tests.Support;

/// <summary>Plain HTTP against a server: JSON posts and the frames of an SSE body.</summary>
public static class Http
{
    public static HttpClient Client(Uri baseUri) => new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };

    public static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), Json(body));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return ((int)response.StatusCode, doc.RootElement.Clone());
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        var text = await http.GetStringAsync(new Uri(path, UriKind.Relative));
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>The payloads of "data: ..." events, in order ("[DONE]" included).</summary>
    public static List<string> Frames(string sse) =>
        [.. sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e[6..] : throw new FormatException($"not a data event: '{e}'"))];

    /// <summary>Token-bearing chunks: non-empty choices[0].text or delta.content.</summary>
    public static List<JsonElement> TokenChunks(IEnumerable<string> frames) =>
        [.. frames.Where(f => f != "[DONE]").Select(f => JsonDocument.Parse(f).RootElement.Clone())
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0 && Text(c.GetProperty("choices")[0]) is { Length: > 0 })];

    private static string? Text(JsonElement choice) =>
        choice.TryGetProperty("text", out var t) ? t.GetString()
        : choice.TryGetProperty("delta", out var d) && d.TryGetProperty("content", out var c) ? c.GetString() : null;
}
