using Tpd.Core.Units;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Doctor;

/// <summary>What the measured throughput costs at a price: tokens per dollar and dollars per million tokens.</summary>
public sealed record LiveEconomics(TokenRate Rate, MoneyRate Price, double TokensPerDollar, double DollarsPerMillionTokens)
{
    /// <summary>
    /// From an engine window and the server's price (all its GPUs). Counts generated tokens, the seed's
    /// "tokens per second" of output; pass <paramref name="includePrompt"/> to count prompt tokens too.
    /// Null when the window has no token counters or produced no tokens (an idle server has no $/token).
    /// </summary>
    public static LiveEconomics? From(EngineWindow window, MoneyRate price, bool includePrompt = false)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (price.DollarsPerSecond <= 0)
            throw new ArgumentOutOfRangeException(nameof(price), price, $"price must be positive, got {price}; pass --price in $/hour, e.g. --price 2.49");
        if (window.GenerationTokenRate is not { } gen)
            return null;
        var rate = includePrompt && window.PromptTokenRate is { } p ? gen + p : gen;
        if (rate.TokensPerSecond <= 0)
            return null;
        return new LiveEconomics(rate, price, rate.TokensPerSecond / price.DollarsPerSecond, price.DollarsPerMillion(rate));
    }
}
