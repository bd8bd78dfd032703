using Tpd.Core.Measurement;

namespace Tpd.Bench.Http;

/// <summary>What the probe found and what the run will do differently because of it.</summary>
public sealed record ProbeResult(ServerCapabilities Capabilities, IReadOnlyList<string> Warnings);

/// <summary>The endpoint cannot serve a single streaming request; the message says what to check.</summary>
public sealed class BenchSetupException(string message) : Exception(message);

/// <summary>
/// Tries, with tiny requests, each feature bench relies on for exact workloads (MEASURE.md "probe capabilities
/// first"): the usage chunk, token-id prompts, ignore_eos and min_tokens. A feature the server rejects
/// (HTTP 4xx) is left out of later requests, with a warning that says what the run loses.
/// </summary>
public static class CapabilityProbe
{
    /// <summary>Output length asked of the ignore_eos probe: long enough that a model would usually stop earlier on "Hi".</summary>
    private const int IgnoreEosProbeTokens = 16;

    /// <summary>Token ids 1000..1007: below every vocabulary size in use (32k and up) and clear of the special tokens, which sit at the ends.</summary>
    private static readonly int[] ProbeTokenIds = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007];

    public static async Task<ProbeResult> ProbeAsync(OpenAiStreamClient client, EndpointOptions endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        var warnings = new List<string>();
        var none = new ServerCapabilities { UsageChunk = false, TokenIdPrompts = false, IgnoreEos = false, MinTokens = false };
        var hello = new BenchRequest { PromptText = "Hi", MaxTokens = 4 };
        long id = -1;

        Task<RequestRecord> Try(BenchRequest r, ServerCapabilities caps) => client.SendAsync(r, id--, 0, warmup: true, caps, cancellationToken);

        // 1. Usage chunk. Some servers reject the unknown stream_options field; others ignore it silently.
        var usage = true;
        var base1 = await Try(hello, none with { UsageChunk = true }).ConfigureAwait(false);
        if (base1.Outcome != RequestOutcome.Ok)
        {
            var plain = await Try(hello, none).ConfigureAwait(false);
            if (plain.Outcome != RequestOutcome.Ok)
            {
                throw new BenchSetupException(
                    $"{endpoint.RequestUri} did not stream a completion for model '{endpoint.Model}': {Describe(plain)}; check the URL, the model name (GET /v1/models lists them) and the API key");
            }

            usage = false;
            warnings.Add($"the server rejected stream_options.include_usage ({Describe(base1)}); N_out is counted from streamed events, which undercounts chunks carrying several tokens");
        }
        else if (base1.OutputTokensSource != TokenCountSource.Usage)
        {
            usage = false;
            warnings.Add("the server sent no usage chunk despite stream_options.include_usage; N_out is counted from streamed events, which undercounts chunks carrying several tokens");
        }

        var caps = none with { UsageChunk = usage };

        // 2. Token-id prompts give exact prompt lengths; only /v1/completions accepts them.
        var ids = false;
        if (endpoint.Api == ApiKind.Completions)
        {
            var r = await Try(new BenchRequest { PromptTokenIds = ProbeTokenIds, MaxTokens = 2 }, caps with { TokenIdPrompts = true }).ConfigureAwait(false);
            ids = r.Outcome == RequestOutcome.Ok;
            if (!ids)
                warnings.Add($"the server rejected token-id prompts ({Describe(r)}); prompts go as text and their token lengths are approximate");
        }
        else
        {
            warnings.Add("chat completions take text messages, so prompt lengths in tokens are approximate; use the completions API for exact lengths");
        }

        // 3. ignore_eos: accepted, and does it give the full length?
        var ignore = await Try(hello with { MaxTokens = IgnoreEosProbeTokens, IgnoreEos = true }, caps with { IgnoreEos = true }).ConfigureAwait(false);
        var ignoreEos = ignore.Outcome == RequestOutcome.Ok;
        if (!ignoreEos)
            warnings.Add($"the server rejected ignore_eos ({Describe(ignore)}); outputs may stop before max_tokens, check the output-length validity line");
        else if (usage && ignore.OutputTokens < IgnoreEosProbeTokens)
            warnings.Add($"the server accepted ignore_eos but produced {ignore.OutputTokens} of {IgnoreEosProbeTokens} tokens; outputs may stop before max_tokens");

        // 4. min_tokens (vLLM), the other way to force a length.
        var min = await Try(hello with { MaxTokens = 4, MinTokens = 4 }, caps with { MinTokens = true }).ConfigureAwait(false);
        var minTokens = min.Outcome == RequestOutcome.Ok;
        if (!minTokens)
            warnings.Add($"the server rejected min_tokens ({Describe(min)}); it is left out of requests");

        return new ProbeResult(new ServerCapabilities { UsageChunk = usage, TokenIdPrompts = ids, IgnoreEos = ignoreEos, MinTokens = minTokens }, warnings);
    }

    private static string Describe(RequestRecord r) =>
        r.HttpStatus is { } s and not 200
            ? $"HTTP {s}: {r.ErrorMessage}"
            : $"{r.ErrorClass ?? r.Outcome.ToString()}: {r.ErrorMessage}";
}
