using System.Net.Http.Headers;
using System.Text;

namespace Tpd.Twin.Tests.Support;

/// <summary>Raw HTTP against a twin: the bytes as a client sees them.</summary>
internal static class Http
{
    public static HttpClient Client(Uri baseUri) => new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(15) };

    public static async Task<(int Status, string Body, HttpResponseHeaders Headers, string? ContentType)> PostAsync(Uri baseUri, string path, string json)
    {
        using var http = Client(baseUri);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, body, response.Headers, response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>Sends a POST and returns as soon as the headers are in, leaving the body to read as a stream.</summary>
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<string> GetAsync(Uri baseUri, string path)
    {
        using var http = Client(baseUri);
        return await http.GetStringAsync(new Uri(path, UriKind.Relative));
    }

    /// <summary>The SSE frames of a body: each "data: ..." payload, in order.</summary>
    public static List<string> Frames(string body)
    {
        body.ShouldEndWith("\n\n");
        return [.. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(f =>
        {
            f.ShouldStartWith("data: ");
            return f["data: ".Length..];
        })];
    }
}
