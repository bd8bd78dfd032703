using Tpd.Llama.Engine;

namespace Tpd.Llama.Server;

public sealed record LlamaServerOptions
{
    public required LlamaEngineOptions Engine { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one (see <see cref="LlamaServer.BaseUri"/>).</summary>
    public int Port { get; init; }

    /// <summary>The served model name (the "model" field requests must carry, if any).</summary>
    public string ModelName { get; init; } = "tpd-llama";

    /// <summary>The server stops by itself after this long; null: when disposed. Tests always set one.</summary>
    public TimeSpan? Lifetime { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
