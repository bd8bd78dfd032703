using Tpd.Llama.Engine;
using Tpd.Llama.Model;
using Tpd.Llama.Server;

namespace Tpd.Llama.Tests.Support;

/// <summary>
/// One random model (the default shape: 2 layers, hidden 128, Llama-2's 32,000-token vocabulary, about 18 MB) and one
/// server over it, shared by the tests of the <see cref="SharedEngine"/>. Tests that need other engine limits
/// start their own server on the same file.
/// </summary>
public sealed class LlamaFixture : IAsyncLifetime
{
    /// <summary>Every server a test starts stops by itself after this long, whatever the test does.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    private TempModel? _model;
    private LlamaServer? _server;

    public TempModel Model => _model ?? throw new InvalidOperationException("fixture not initialised");
    public LlamaServer Server => _server ?? throw new InvalidOperationException("fixture not initialised");
    public Uri BaseUri => Server.BaseUri;

    public Task<LlamaServer> StartServerAsync(int maxSequences = 8, int? kvTokens = null) =>
        LlamaServer.StartAsync(new LlamaServerOptions
        {
            Engine = new LlamaEngineOptions { ModelPath = Model.Path, MaxSequences = maxSequences, KvTokens = kvTokens },
            Lifetime = Lifetime,
        });

    public async Task InitializeAsync()
    {
        _model = TempModel.Write(new LlamaShape());
        _server = await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _model?.Dispose();
    }
}

/// <summary>The engine tests run one at a time: they share two cores, and several measure batching and timing.</summary>
[CollectionDefinition(nameof(SharedEngine), DisableParallelization = true)]
public sealed class SharedEngine : ICollectionFixture<LlamaFixture>;
