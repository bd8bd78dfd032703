using System.Runtime.InteropServices;
using Tpd.Llama;
using Tpd.Llama.Engine;
using Tpd.Llama.Model;
using Tpd.Llama.Server;

// The test kit's llama.cpp server as a program: write a random model, serve it until Ctrl-C or --lifetime.
var options = ServerCommandLine.Parse(args, out var errors);
if (options.Help)
{
    Console.WriteLine(ServerCommandLine.Usage);
    return 0;
}

if (errors.Count > 0)
{
    foreach (var e in errors)
        Console.Error.WriteLine($"error: {e}");
    return 2;
}

using var model = options.GgufPath is null ? TempModel.Write(options.Shape) : null;
var path = model?.Path ?? options.GgufPath!;
await using var server = await LlamaServer.StartAsync(new LlamaServerOptions
{
    Engine = new LlamaEngineOptions
    {
        ModelPath = path,
        MaxSequences = options.MaxSequences,
        KvTokens = options.KvTokens,
        BatchTokens = options.BatchTokens,
        Threads = options.Threads,
    },
    Port = options.Port,
    ModelName = options.ModelName,
    Lifetime = options.LifetimeSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
});

var engine = server.Engine;
Console.WriteLine($"tpd-llama: llama.cpp (ggml {NativeRuntime.GgmlVersion}, commit {NativeRuntime.GgmlCommit}, {NativeRuntime.Variant} build) via LLamaSharp {InfoHandlers.LlamaSharpVersion}");
Console.WriteLine($"  model   {server.ModelName}: {(model is null ? path : options.Shape.Describe())}, {new FileInfo(path).Length / 1e6:0.0} MB at {path}");
Console.WriteLine($"  engine  {engine.MaxSequences} sequences, KV cache {engine.KvTokens:N0} tokens, max_model_len {engine.MaxModelLen:N0}, batch {options.BatchTokens}, {options.Threads ?? Environment.ProcessorCount} threads");
Console.WriteLine($"  url     {server.BaseUri.ToString().TrimEnd('/')}");
Console.Out.Flush();

// Ctrl-C and SIGTERM (kill, docker stop) stop the server; the hosting layer alone would stop Kestrel but not the engine.
using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await Task.WhenAny(server.Stopped, Task.Delay(Timeout.Infinite, interrupted.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
