using System.Net;
using System.Text;

namespace Tpd.Deploy.Tests.Monitoring;

/// <summary>
/// Closed-loop streaming clients through the gateway whose number can be raised while they run: each client sends
/// a chat completion, reads the stream to its end, and sends the next while its index is below the wanted count.
/// </summary>
public sealed class RampLoad(HttpClient http, string model)
{
    private readonly List<Task> _clients = [];
    private int _wanted;
    private int _ok;
    private int _failed;

    public int Ok => _ok;
    public int Failed => _failed;

    public void SetClients(int count)
    {
        Volatile.Write(ref _wanted, count);
        while (_clients.Count < count)
        {
            var index = _clients.Count;
            _clients.Add(Task.Run(() => RunAsync(index)));
        }
    }

    /// <summary>No new requests; waits for those in progress (queued ones included) to finish.</summary>
    public async Task StopAsync()
    {
        Volatile.Write(ref _wanted, 0);
        await Task.WhenAll(_clients).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task RunAsync(int index)
    {
        var n = 0;
        while (index < Volatile.Read(ref _wanted))
        {
            var status = await SendAsync(http, model, 30, $"client-{index}-{n++}", CancellationToken.None);
            if (status == HttpStatusCode.OK)
                Interlocked.Increment(ref _ok);
            else
                Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>One streaming chat completion of <paramref name="maxTokens"/> tokens, read to its end (or to cancellation).</summary>
    public static async Task<HttpStatusCode> SendAsync(HttpClient http, string model, int maxTokens, string user, CancellationToken ct)
    {
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Tell me about {{user}}"}],"max_tokens":{{maxTokens}},"ignore_eos":true,"stream":true,"user":"{{user}}"}""";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            return response.StatusCode == HttpStatusCode.OK && !text.Contains("data: {\"error\"", StringComparison.Ordinal) ? HttpStatusCode.OK : response.StatusCode == HttpStatusCode.OK ? HttpStatusCode.BadGateway : response.StatusCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
    }
}
