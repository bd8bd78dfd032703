namespace Tpd.Gateway.Tests.Fakes;

/// <summary>What a test needs from a worker it runs behind the gateway. The fake implements it today; a
/// `tpd twin` worker can implement it later, and <see cref="Workers.Factory"/> is the one place to switch.</summary>
public interface ITestWorker : IAsyncDisposable
{
    string Name { get; }
    Uri BaseUri { get; }

    /// <summary>Requests that reached the worker (all endpoints under /v1 except models).</summary>
    int Requests { get; }

    /// <summary>Requests whose client (the gateway) went away before the response ended.</summary>
    int Cancelled { get; }

    int InFlight { get; }

    /// <summary>Multiplies every delay: 1 is normal, 4 is four times slower (thermal throttling).</summary>
    void SetSlowdown(double factor);

    /// <summary>The next <paramref name="count"/> requests get this HTTP status before any byte of a stream.</summary>
    void FailNext(int count, int status);

    /// <summary>Streams stop (connection aborted) after this many token chunks; null: never.</summary>
    void CutStreamsAfter(int? tokens);

    /// <summary>Stops listening and aborts every open connection, as a crashed process would.</summary>
    Task KillAsync();

    /// <summary>Listens again on the same port.</summary>
    Task RestartAsync();
}

/// <summary>How fast a worker is: tokens/s per stream and time to first token.</summary>
public sealed record WorkerSpec(string Name, double TokensPerSecond = 400, double TtftMilliseconds = 5, string Model = "fake-model");

public interface IWorkerFactory
{
    Task<ITestWorker> StartAsync(WorkerSpec spec);
}

/// <summary>
/// The factory most tests use: the light fake (request counts, cancellations, fail-next-N). The scenarios issue 6 names
/// (spread by speed and price, slowdown drain and readmission, a killed worker, the SDK) also run on real `tpd twin`
/// workers in Integration/TwinWorkerTests through <see cref="TwinWorkerFactory"/>.
/// </summary>
public static class Workers
{
    public static IWorkerFactory Factory { get; } = new FakeWorkerFactory();

    public static async Task<List<ITestWorker>> StartAsync(params WorkerSpec[] specs) =>
        [.. await Task.WhenAll(specs.Select(Factory.StartAsync))];

    /// <summary>Workers of a kind named by a test case: "fake" (the default factory) or "twin" (`tpd twin` servers).</summary>
    public static async Task<List<ITestWorker>> StartAsync(string kind, params WorkerSpec[] specs)
    {
        IWorkerFactory factory = kind switch
        {
            "fake" => Factory,
            "twin" => new TwinWorkerFactory(),
            _ => throw new ArgumentException($"worker kind '{kind}' is unknown; use fake or twin", nameof(kind)),
        };
        return [.. await Task.WhenAll(specs.Select(factory.StartAsync))];
    }
}
