using System.Globalization;
using System.Text;
using System.Text.Json;

// A fast upstream for the gateway benchmark: /v1/completions and /v1/chat/completions stream max_tokens chunks
// with an optional delay between them (--token-delay-us, default 0), the usage chunk when asked, and [DONE].
// Each chunk is flushed on its own, as vLLM does, so a proxy must relay many small writes.
var port = Arg("--port", 18090);
var delayMicros = Arg("--token-delay-us", 0);
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.MapGet("/health", () => "");
app.MapGet("/v1/models", () => Results.Text("""{"object":"list","data":[{"id":"bench","object":"model"}]}""", "application/json"));
app.MapPost("/v1/completions", ctx => Serve(ctx, chat: false));
app.MapPost("/v1/chat/completions", ctx => Serve(ctx, chat: true));
app.Run();

async Task Serve(HttpContext ctx, bool chat)
{
    using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted);
    var root = doc.RootElement;
    var max = root.TryGetProperty("max_tokens", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 16;
    var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
    var usage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
        && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
    var prompt = root.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : 8;
    var usageJson = $"{{\"prompt_tokens\":{prompt},\"total_tokens\":{prompt + max},\"completion_tokens\":{max}}}";
    if (!stream)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($"{{\"id\":\"cmpl-b\",\"object\":\"text_completion\",\"model\":\"bench\",\"choices\":[{{\"index\":0,\"text\":\"{string.Concat(Enumerable.Repeat("x ", max))}\",\"finish_reason\":\"length\"}}],\"usage\":{usageJson}}}");
        return;
    }
    ctx.Response.ContentType = "text/event-stream";
    var body = ctx.Response.BodyWriter;
    for (var i = 0; i < max; i++)
    {
        if (delayMicros > 0)
            await Task.Delay(TimeSpan.FromMicroseconds(delayMicros), ctx.RequestAborted);
        var finish = i == max - 1 ? "\"length\"" : "null";
        var chunk = chat
            ? $"data: {{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"bench\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"t{i} \"}},\"logprobs\":null,\"finish_reason\":{finish}}}]}}\n\n"
            : $"data: {{\"id\":\"cmpl-b\",\"object\":\"text_completion\",\"created\":0,\"model\":\"bench\",\"choices\":[{{\"index\":0,\"text\":\"t{i} \",\"logprobs\":null,\"finish_reason\":{finish}}}]}}\n\n";
        await body.WriteAsync(Encoding.UTF8.GetBytes(chunk), ctx.RequestAborted);
    }
    if (usage)
        await body.WriteAsync(Encoding.UTF8.GetBytes($"data: {{\"id\":\"cmpl-b\",\"object\":\"text_completion\",\"created\":0,\"model\":\"bench\",\"choices\":[],\"usage\":{usageJson}}}\n\n"), ctx.RequestAborted);
    await body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), ctx.RequestAborted);
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
