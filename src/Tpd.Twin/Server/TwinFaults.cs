using System.Globalization;
using System.Text.Json;

namespace Tpd.Twin.Server;

/// <summary>
/// Faults the twin plays on demand, all drawn from the seeded generator in request-arrival order, so the same
/// seed and the same arrivals give the same faults. Immutable: the host swaps the whole set atomically.
/// </summary>
public sealed record TwinFaults
{
    /// <summary>The statuses an error rate may name (OpenAI/vLLM answers): 400 bad request, 429 rate limited, 500, 503.</summary>
    public static readonly IReadOnlyList<int> Statuses = [400, 429, 500, 503];

    public static TwinFaults None { get; } = new();

    /// <summary>Share of requests answered with each status before streaming (HTTP status + OpenAI error JSON); the shares add up to at most 1.</summary>
    public IReadOnlyDictionary<int, double> ErrorRates { get; init; } = new Dictionary<int, double>();

    /// <summary>Retry-After header on 429 and 503 answers, in whole seconds. Default 1.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Chance that an engine step stalls (all running requests pause), in [0, 1].</summary>
    public double SpikeProbability { get; init; }

    /// <summary>Wall seconds a stalled step adds.</summary>
    public double SpikeSeconds { get; init; }

    /// <summary>Every step takes this many times longer (thermal throttling: 1.25 is 25 % slower). Default 1.</summary>
    public double Slowdown { get; init; } = 1;

    /// <summary>Chance that a stream is cut (connection reset, no [DONE]) after <see cref="CutAfterTokens"/> tokens.</summary>
    public double CutProbability { get; init; }

    /// <summary>Chance that a stream ends after <see cref="CutAfterTokens"/> tokens with an error frame and [DONE] (an engine error mid-stream).</summary>
    public double StreamErrorProbability { get; init; }

    /// <summary>Tokens a cut or failed stream delivers first. Default 8.</summary>
    public int CutAfterTokens { get; init; } = 8;

    /// <summary>Abort every new request's connection at once (a server that is down); /twin/ admin paths still answer.</summary>
    public bool RefuseConnections { get; init; }

    /// <summary>True when no fault is set (records compare dictionaries by reference, so equality cannot say it).</summary>
    public bool IsNone =>
        ErrorRates.Values.All(r => r == 0) && SpikeProbability == 0 && Slowdown == 1 && CutProbability == 0 && StreamErrorProbability == 0 && !RefuseConnections;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var total = 0.0;
        foreach (var (status, rate) in ErrorRates)
        {
            if (!Statuses.Contains(status))
                errors.Add($"error rate for status {status}: the twin injects only {string.Join(", ", Statuses)}.");
            if (!(rate is >= 0 and <= 1))
                errors.Add($"error rate {rate.ToString(CultureInfo.InvariantCulture)} for status {status} must be in [0, 1].");
            total += rate;
        }

        if (total > 1 + 1e-9)
            errors.Add($"error rates add up to {Math.Round(total, 6).ToString(CultureInfo.InvariantCulture)}; their sum must be at most 1.");
        if (RetryAfterSeconds is < 0 or > 86_400)
            errors.Add($"retry after {RetryAfterSeconds} s must be in [0, 86400].");
        Probability(errors, "spike probability", SpikeProbability);
        Probability(errors, "cut probability", CutProbability);
        Probability(errors, "stream error probability", StreamErrorProbability);
        if (CutProbability + StreamErrorProbability > 1 + 1e-9)
            errors.Add("cut probability + stream error probability must be at most 1.");
        if (!(SpikeSeconds is >= 0 and <= 3600))
            errors.Add($"spike seconds {SpikeSeconds.ToString(CultureInfo.InvariantCulture)} must be in [0, 3600].");
        if (!(Slowdown is >= 0.01 and <= 1000))
            errors.Add($"slowdown {Slowdown.ToString(CultureInfo.InvariantCulture)} must be in [0.01, 1000] (1 = none, 2 = every step twice as long).");
        if (CutAfterTokens < 0)
            errors.Add($"cut after {CutAfterTokens} tokens must be zero or more.");
        return errors;
    }

    private static void Probability(List<string> errors, string name, double p)
    {
        if (!(p is >= 0 and <= 1))
            errors.Add($"{name} {p.ToString(CultureInfo.InvariantCulture)} must be in [0, 1].");
    }

    /// <summary>The faults as JSON (GET /twin/faults), snake_case, units in the names.</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteStartObject("error_rates");
        foreach (var (status, rate) in ErrorRates.OrderBy(kv => kv.Key))
            w.WriteNumber(status.ToString(CultureInfo.InvariantCulture), rate);
        w.WriteEndObject();
        w.WriteNumber("retry_after_seconds", RetryAfterSeconds);
        w.WriteNumber("spike_probability", SpikeProbability);
        w.WriteNumber("spike_seconds", SpikeSeconds);
        w.WriteNumber("slowdown", Slowdown);
        w.WriteNumber("cut_probability", CutProbability);
        w.WriteNumber("stream_error_probability", StreamErrorProbability);
        w.WriteNumber("cut_after_tokens", CutAfterTokens);
        w.WriteBoolean("refuse_connections", RefuseConnections);
        w.WriteEndObject();
    }

    /// <summary>
    /// Applies a JSON patch (POST /twin/faults): fields present replace the current ones, absent fields stay; an
    /// "error_rates" object replaces all rates. Returns null and the errors when the JSON or a value is invalid.
    /// </summary>
    public TwinFaults? Patch(JsonElement json, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add("the faults must be a JSON object, e.g. {\"slowdown\": 2, \"error_rates\": {\"429\": 0.1}}.");
            return null;
        }

        var f = this;
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "error_rates":
                    f = f with { ErrorRates = Rates(p.Value, errors) };
                    break;
                case "retry_after_seconds": f = f with { RetryAfterSeconds = (int)Number(p, errors) }; break;
                case "spike_probability": f = f with { SpikeProbability = Number(p, errors) }; break;
                case "spike_seconds": f = f with { SpikeSeconds = Number(p, errors) }; break;
                case "slowdown": f = f with { Slowdown = Number(p, errors) }; break;
                case "cut_probability": f = f with { CutProbability = Number(p, errors) }; break;
                case "stream_error_probability": f = f with { StreamErrorProbability = Number(p, errors) }; break;
                case "cut_after_tokens": f = f with { CutAfterTokens = (int)Number(p, errors) }; break;
                case "refuse_connections":
                    if (p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        f = f with { RefuseConnections = p.Value.GetBoolean() };
                    else
                        errors.Add($"refuse_connections is {p.Value.GetRawText()}; use true or false.");
                    break;
                default:
                    errors.Add($"unknown fault '{p.Name}'; use error_rates, retry_after_seconds, spike_probability, spike_seconds, slowdown, cut_probability, stream_error_probability, cut_after_tokens, refuse_connections.");
                    break;
            }
        }

        errors.AddRange(f.Validate());
        return errors.Count == 0 ? f : null;
    }

    private static double Number(JsonProperty p, List<string> errors)
    {
        if (p.Value.ValueKind == JsonValueKind.Number)
            return p.Value.GetDouble();
        errors.Add($"{p.Name} is {p.Value.GetRawText()}; it must be a number.");
        return 0;
    }

    private static Dictionary<int, double> Rates(JsonElement value, List<string> errors)
    {
        var rates = new Dictionary<int, double>();
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"error_rates is {value.GetRawText()}; it must map statuses to shares, e.g. {{\"429\": 0.1, \"503\": 0.05}}.");
            return rates;
        }

        foreach (var p in value.EnumerateObject())
        {
            if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                errors.Add($"error_rates key '{p.Name}' is not an HTTP status; use {string.Join(", ", Statuses)}.");
                continue;
            }

            rates[status] = Number(p, errors);
        }

        return rates;
    }
}
