using Tpd.Core.Units;
using Tpd.Model.Roofline;
using Tpd.Model.Serving;

namespace Tpd.Model.Estimate;

/// <summary>
/// Continuous batching in steady state, analytically. With B sequences decoding and each finishing after
/// O output tokens, B/O new requests start per step, so an average step carries B decodes plus B x I / O
/// prompt tokens (chunked prefill piggybacks on decode steps, as vLLM v1 does). TPOT is that average
/// step; the replica emits B tokens per step. TTFT without queueing is the prompt's chunks riding along
/// with the other B-1 decodes.
/// </summary>
public static class SteadyState
{
    public static OperatingPoint At(RooflineStepModel model, in MemoryBudget memory, Workload w, int batch)
    {
        var p = model.Profile;
        var kvLimited = memory.SequencesAt(p, w.MeanDecodeContext);
        double b = batch;
        var decodeContext = b * w.MeanDecodeContext;
        var decodeOnly = model.Analyze(new StepShape(0, 0, 0, 0, batch, decodeContext));

        StepBreakdown step;
        if (w.ContextTokens is not null)
        {
            step = decodeOnly;
        }
        else
        {
            var newPerStep = b / w.OutputTokens;
            var prefillTokens = newPerStep * w.InputTokens;
            var shape = new StepShape(
                (int)Math.Round(prefillTokens),
                (int)Math.Ceiling(newPerStep),
                prefillTokens * (w.InputTokens + 1) / 2.0,
                0,
                batch,
                decodeContext);
            step = model.Analyze(shape);
        }

        var tpot = step.Total;
        var budget = p.MaxBatchedTokens;
        var prefillAlone = PrefillTime(model, w.InputTokens, budget, 0, 0);
        var ttft = batch <= 1 ? prefillAlone : PrefillTime(model, w.InputTokens, budget, batch - 1, (b - 1) * w.MeanDecodeContext);
        var outputRate = TokenRate.FromTokensPerSecond(b / tpot.Seconds);
        var inputRate = w.ContextTokens is null
            ? TokenRate.FromTokensPerSecond(b / w.OutputTokens * w.InputTokens / tpot.Seconds)
            : TokenRate.Zero;
        return new OperatingPoint(batch, kvLimited, prefillAlone, ttft, tpot, decodeOnly.Total, outputRate, inputRate, step);
    }

    /// <summary>
    /// Time to prefill a prompt in chunks of the token budget left after <paramref name="decodes"/> running
    /// decodes, each chunk one engine step. The first token is sampled at the end of the last chunk (vLLM).
    /// </summary>
    public static Duration PrefillTime(RooflineStepModel model, int promptTokens, int tokenBudget, int decodes, double decodeContext)
    {
        var chunk = Math.Max(tokenBudget - decodes, Math.Max(1, tokenBudget / 8));
        var total = 0.0;
        for (var done = 0; done < promptTokens; done += chunk)
        {
            var n = Math.Min(chunk, promptTokens - done);
            var attended = (double)n * done + n * (n + 1) / 2.0;
            total += model.Analyze(new StepShape(n, 1, attended, done, decodes, decodeContext)).Total.Seconds;
        }

        return Duration.FromSeconds(total);
    }
}
