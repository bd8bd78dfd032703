using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tpd.Gateway.Tests.Integration;

/// <summary>GET /v1/models through the gateway: the union of the eligible workers' lists, cached briefly.</summary>
public sealed class ModelsUnionTests
{
    private static string List(params (string Id, string Owner)[] models) =>
        JsonSerializer.Serialize(new
        {
            @object = "list",
            data = models.Select(m => new { id = m.Id, @object = "model", created = 1_700_000_000, owned_by = m.Owner }).ToArray(),
        });

    private static async Task<List<ITestWorker>> StartAsync(params (string Name, int Status, string Body)[] workers) =>
        [.. await Task.WhenAll(workers.Select(async w => (ITestWorker)await ModelsWorker.StartAsync(w.Name, w.Status, w.Body)))];

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(GatewayHarness g)
    {
        var response = await g.Client.GetAsync("v1/models");
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone(), response);
    }

    private static string[] Ids(JsonElement list) => [.. list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Models_are_the_union_of_the_workers_lists_each_id_once_as_the_first_worker_lists_it()
    {
        const string withExtras = """{"object":"list","data":[{"id":"llama-8b","object":"model","created":1,"owned_by":"vllm","root":"meta/llama-8b","max_model_len":8192}]}""";
        await using var g = await GatewayHarness.StartAsync(await StartAsync(
            ("a", 200, withExtras),
            ("b", 200, List(("llama-8b", "other"), ("qwen-7b", "team-b"))),
            ("c", 500, """{"error":{"message":"boom"}}"""),
            ("d", 200, """{"unexpected":true}"""),
            ("e", 200, List(("mistral-7b", "team-e"), ("qwen-7b", "team-e")))));

        var (status, body, response) = await GetAsync(g);
        using (response)
        {
            status.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        }
        body.GetProperty("object").GetString().ShouldBe("list");
        Ids(body).ShouldBe(["llama-8b", "qwen-7b", "mistral-7b"]);
        var models = body.GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        models["llama-8b"].GetProperty("owned_by").GetString().ShouldBe("vllm");
        models["llama-8b"].GetProperty("max_model_len").GetInt32().ShouldBe(8192); // the first worker's entry, whole
        models["qwen-7b"].GetProperty("owned_by").GetString().ShouldBe("team-b");
        models["mistral-7b"].GetProperty("object").GetString().ShouldBe("model");
    }

    [Fact]
    public async Task A_drained_worker_leaves_the_list_at_once_and_comes_back_when_undrained()
    {
        await using var g = await GatewayHarness.StartAsync(await StartAsync(("a", 200, List(("m-a", "a"))), ("b", 200, List(("m-b", "b")))));
        var (_, before, r1) = await GetAsync(g);
        r1.Dispose();
        Ids(before).ShouldBe(["m-a", "m-b"]);

        g.Runtime.SetManualDrain("b", true).ShouldBeTrue();
        var (_, drained, r2) = await GetAsync(g);
        r2.Dispose();
        Ids(drained).ShouldBe(["m-a"]);

        g.Runtime.SetManualDrain("b", false).ShouldBeTrue();
        var (_, after, r3) = await GetAsync(g);
        r3.Dispose();
        Ids(after).ShouldBe(["m-a", "m-b"]);
    }

    [Fact]
    public async Task Repeated_calls_reuse_the_union_instead_of_asking_every_worker_each_time()
    {
        await using var g = await GatewayHarness.StartAsync(await StartAsync(("a", 200, List(("m-a", "a"))), ("b", 200, List(("m-b", "b")))));
        var calls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GetAsync(g)));
        foreach (var c in calls)
        {
            c.Response.Dispose();
            c.Status.ShouldBe(HttpStatusCode.OK);
            Ids(c.Body).ShouldBe(["m-a", "m-b"]);
        }
        g.Workers.Cast<ModelsWorker>().ShouldAllBe(w => w.ModelCalls == 1);
    }

    [Fact]
    public async Task No_worker_answering_gives_a_well_formed_503_and_the_failure_is_not_cached()
    {
        await using var g = await GatewayHarness.StartAsync(await StartAsync(("a", 500, "{}"), ("b", 404, "{}")));
        var (status, body, response) = await GetAsync(g);
        using (response)
        {
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter.ShouldNotBeNull();
        }
        body.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("/v1/models");
        body.GetProperty("error").GetProperty("type").GetString().ShouldBe("service_unavailable");
        body.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(503);

        ((ModelsWorker)g.Workers[1]).Answer(200, List(("m-b", "b")));
        var (again, list, r2) = await GetAsync(g);
        r2.Dispose();
        again.ShouldBe(HttpStatusCode.OK);
        Ids(list).ShouldBe(["m-b"]);
    }

    [Fact]
    public async Task With_every_worker_drained_the_client_gets_503_not_an_empty_list()
    {
        await using var g = await GatewayHarness.StartAsync(await StartAsync(("a", 200, List(("m-a", "a")))));
        g.Runtime.SetManualDrain("a", true).ShouldBeTrue();
        var (status, body, response) = await GetAsync(g);
        response.Dispose();
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.TryGetProperty("error", out _).ShouldBeTrue();
    }

    /// <summary>A worker that only answers /health (200) and /v1/models (a scripted status and body), counting model calls.</summary>
    private sealed class ModelsWorker : ITestWorker
    {
        private WebApplication? _app;
        private int _status;
        private string _body = "";
        private int _modelCalls;

        private ModelsWorker(string name) => Name = name;

        public string Name { get; }
        public Uri BaseUri { get; private set; } = null!;
        public int ModelCalls => Volatile.Read(ref _modelCalls);
        public int Requests => 0;
        public int Cancelled => 0;
        public int InFlight => 0;

        public static async Task<ModelsWorker> StartAsync(string name, int status, string body)
        {
            var w = new ModelsWorker(name);
            w.Answer(status, body);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/health", () => "ok");
            app.MapGet("/v1/models", async ctx =>
            {
                Interlocked.Increment(ref w._modelCalls);
                string text;
                lock (w)
                {
                    ctx.Response.StatusCode = w._status;
                    text = w._body;
                }
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(text);
            });
            await app.StartAsync();
            w.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
            w._app = app;
            return w;
        }

        public void Answer(int status, string body)
        {
            lock (this)
            {
                _status = status;
                _body = body;
            }
        }

        public void SetSlowdown(double factor) => throw new NotSupportedException("a models-only worker serves no completions");
        public void FailNext(int count, int status) => throw new NotSupportedException("a models-only worker serves no completions");
        public void CutStreamsAfter(int? tokens) => throw new NotSupportedException("a models-only worker serves no completions");
        public Task RestartAsync() => throw new NotSupportedException("a models-only worker is not restarted");

        public async Task KillAsync()
        {
            if (Interlocked.Exchange(ref _app, null) is { } app)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync() => await KillAsync();
    }
}
