namespace Tpd.Gateway.Metering;

/// <summary>How a request ended. Every request ends in exactly one, so the counts add up to the requests received.</summary>
public enum Outcome
{
    /// <summary>Complete response relayed (stream ended with [DONE], or a 2xx body).</summary>
    Ok,

    /// <summary>The worker answered with an error status that is the client's to see (4xx other than 429), relayed as is.</summary>
    UpstreamClientError,

    /// <summary>Workers failed before the first byte and retries ran out: the client got 502 with a JSON error.</summary>
    UpstreamFailed,

    /// <summary>The worker failed or sent an error after streaming began: the client got an error frame and [DONE].</summary>
    StreamError,

    /// <summary>The client went away; the upstream request was cancelled.</summary>
    ClientCancelled,

    /// <summary>All eligible workers full and the queue full or timed out: 429 with Retry-After.</summary>
    Overloaded,

    /// <summary>No healthy, undrained worker: 503.</summary>
    NoWorker,

    /// <summary>Missing or wrong API key: 401.</summary>
    Unauthorized,

    /// <summary>Client address outside the allowlist: 403.</summary>
    Forbidden,

    /// <summary>Body over the size limit: 413.</summary>
    TooLarge,

    /// <summary>Body that is not a JSON object: 400.</summary>
    BadRequest,
}

public static class OutcomeNames
{
    private static readonly string[] Names =
        ["ok", "upstream_client_error", "upstream_failed", "stream_error", "client_cancelled", "overloaded", "no_worker", "unauthorized", "forbidden", "too_large", "bad_request"];

    public static int Count => Names.Length;

    public static string Name(this Outcome o) => Names[(int)o];
}
