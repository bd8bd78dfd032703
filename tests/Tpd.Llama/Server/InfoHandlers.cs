using System.Reflection;
using Microsoft.AspNetCore.Http;
using Tpd.Llama.Engine;

namespace Tpd.Llama.Server;

/// <summary>GET /v1/models, /version, /health and /stats (this server's own engine counters).</summary>
internal sealed class InfoHandlers(LlamaEngine engine, string modelName, long created)
{
    /// <summary>The LLamaSharp package version this project restored, e.g. "0.30.0" (stamped at build; LLamaSharp.dll says 0.0.0.0).</summary>
    public static string LlamaSharpVersion { get; } =
        typeof(InfoHandlers).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LLamaSharpVersion")?.Value ?? "unknown";

    public Task Models(HttpContext context) => Responses.Json(context.Response, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteString("id", modelName);
        w.WriteString("object", "model");
        w.WriteNumber("created", created);
        w.WriteString("owned_by", "tpd-llama");
        w.WriteString("root", modelName);
        w.WriteNull("parent");
        w.WriteNumber("max_model_len", engine.MaxModelLen);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>vLLM answers {"version": "0.x"}; here the version is LLamaSharp's, with the llama.cpp build beside it.</summary>
    public static Task Version(HttpContext context) => Responses.Json(context.Response, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("version", LlamaSharpVersion);
        w.WriteString("engine", "llama.cpp via LLamaSharp");
        w.WriteString("ggml_version", NativeRuntime.GgmlVersion);
        w.WriteString("ggml_commit", NativeRuntime.GgmlCommit);
        w.WriteString("cpu_variant", NativeRuntime.Variant);
        w.WriteString("system_info", NativeRuntime.SystemInfo);
        w.WriteEndObject();
    });

    public Task Stats(HttpContext context)
    {
        var s = engine.Stats();
        return Responses.Json(context.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("running", s.Running);
            w.WriteNumber("waiting", s.Waiting);
            w.WriteNumber("max_running", s.MaxRunning);
            w.WriteNumber("max_waiting", s.MaxWaiting);
            w.WriteNumber("submitted", s.Submitted);
            w.WriteNumber("finished", s.Finished);
            w.WriteNumber("aborted", s.Aborted);
            w.WriteNumber("failed", s.Failed);
            w.WriteNumber("steps", s.Steps);
            w.WriteNumber("steps_with_several_sequences", s.StepsWithSeveralSequences);
            w.WriteNumber("max_sequences_in_step", s.MaxSequencesInStep);
            w.WriteNumber("prompt_tokens", s.PromptTokens);
            w.WriteNumber("generated_tokens", s.GeneratedTokens);
            w.WriteNumber("kv_tokens_reserved", s.KvTokensReserved);
            w.WriteNumber("kv_tokens", s.KvTokens);
            w.WriteNumber("max_sequences", engine.MaxSequences);
            w.WriteStartArray("decode_steps");
            foreach (var d in s.DecodeSteps)
            {
                w.WriteStartObject();
                w.WriteNumber("sequences", d.Sequences);
                w.WriteNumber("steps", d.Steps);
                w.WriteNumber("mean_seconds", d.MeanSeconds);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
