using Tpd.Core.Units;
using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Prometheus;

namespace Tpd.Telemetry.Tests.Doctor;

public class LiveEconomicsTests
{
    private static EngineWindow W(double gen, double prompt) => new()
    {
        Engine = ServingEngine.Vllm,
        Window = Duration.FromSeconds(60),
        GenerationTokenRate = TokenRate.FromTokensPerSecond(gen),
        PromptTokenRate = TokenRate.FromTokensPerSecond(prompt),
    };

    [Fact]
    public void From_prices_generated_tokens_per_dollar_and_per_million()
    {
        // 1000 tokens/s at $3.60/h = $0.001/s: 1e6 tokens per dollar, $1 per million tokens.
        var e = LiveEconomics.From(W(1000, 4000), MoneyRate.FromDollarsPerHour(3.6)).ShouldNotBeNull();
        e.TokensPerDollar.ShouldBe(1e6, 1e-6);
        e.DollarsPerMillionTokens.ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void From_can_count_prompt_tokens_too()
    {
        var e = LiveEconomics.From(W(1000, 4000), MoneyRate.FromDollarsPerHour(3.6), includePrompt: true).ShouldNotBeNull();
        e.DollarsPerMillionTokens.ShouldBe(0.2, 1e-12);
    }

    [Fact]
    public void From_an_idle_window_has_no_cost_per_token()
    {
        LiveEconomics.From(W(0, 0), MoneyRate.FromDollarsPerHour(3.6)).ShouldBeNull();
        LiveEconomics.From(new EngineWindow { Engine = ServingEngine.Tgi, Window = Duration.FromSeconds(1) }, MoneyRate.FromDollarsPerHour(1)).ShouldBeNull();
    }

    [Fact]
    public void From_rejects_a_non_positive_price_with_the_flag_to_use() =>
        Should.Throw<ArgumentOutOfRangeException>(() => LiveEconomics.From(W(1, 1), MoneyRate.FromDollarsPerHour(0))).Message.ShouldContain("--price");
}
