using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tpd.Llama.Engine;

namespace Tpd.Llama.Server;

/// <summary>POST /v1/completions and /v1/chat/completions: checks the body, queues the request on the engine, streams or returns its tokens.</summary>
internal sealed class CompletionHandler(LlamaEngine engine, string modelName, TimeProvider time)
{
    public async Task Handle(HttpContext context, bool chat)
    {
        var body = await ReadBody(context.Request).ConfigureAwait(false);
        var request = CompletionRequest.Parse(body, chat, out var error);
        if (request is null)
        {
            await Responses.Error(context.Response, error!).ConfigureAwait(false);
            return;
        }

        if (request.Model is { } model && model != modelName)
        {
            await Responses.Error(context.Response, new ApiError(404, $"The model `{model}` does not exist.", "model")).ConfigureAwait(false);
            return;
        }

        // vLLM: a text prompt gets the tokenizer's special tokens (BOS); a chat prompt gets them from its template; ids go as they are.
        var prompt = request.PromptIds
            ?? (request.Messages is { } messages ? engine.Tokenize(engine.ApplyChatTemplate(messages), addSpecial: false) : engine.Tokenize(request.PromptText!, addSpecial: true));
        var generation = new GenerationRequest
        {
            PromptTokens = prompt,
            MaxTokens = request.MaxTokens ?? Math.Max(1, engine.MaxModelLen - prompt.Count), // vLLM's default: the rest of the context
            MinTokens = request.MinTokens,
            IgnoreEos = request.IgnoreEos,
            Temperature = request.Temperature,
            Seed = request.Seed,
        };
        if (engine.Check(generation) is { } problem)
        {
            await Responses.Error(context.Response, new ApiError(400, problem.Message, problem.Field)).ConfigureAwait(false);
            return;
        }

        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        // Cancelled when the client goes away, and whenever this handler leaves early (a failed write): either way
        // the engine frees the request's slot at its next step.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            var running = engine.Submit(generation, abort.Token);
            if (request.Stream)
                await Stream(context, running, request, id, created).ConfigureAwait(false);
            else
                await Whole(context, running, chat, id, created).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing is left to answer.
        }
        finally
        {
            await abort.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task Stream(HttpContext context, Generation running, CompletionRequest request, string id, long created)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(aborted).ConfigureAwait(false);
        using var chunks = new ChunkWriter(response.BodyWriter, id, modelName, created, request.Chat);
        var first = true;
        while (await running.Tokens.WaitToReadAsync(aborted).ConfigureAwait(false))
        {
            // Every token that is ready goes out in its own chunk, then one flush.
            while (running.Tokens.TryRead(out var token))
            {
                if (first && request.Chat)
                    chunks.Role();
                first = false;
                chunks.Token(token.Text, token.FinishReason);
            }

            await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
        }

        var result = await running.Completion.ConfigureAwait(false);
        if (result.FinishReason is "error" or "abort")
            chunks.Error(new ApiError(500, result.Error ?? "the request did not finish"));
        else if (request.IncludeUsage)
            chunks.Usage(result.PromptTokens, result.CompletionTokens);
        chunks.Done();
        await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
    }

    private async Task Whole(HttpContext context, Generation running, bool chat, string id, long created)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var token in running.Tokens.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            text.Append(token.Text);
        var result = await running.Completion.ConfigureAwait(false);
        if (result.FinishReason is "error" or "abort")
        {
            await Responses.Error(context.Response, new ApiError(500, result.Error ?? "the request did not finish")).ConfigureAwait(false);
            return;
        }

        await Responses.Json(context.Response, 200, w => Responses.WriteCompletion(
            w, id, modelName, created, chat, text.ToString(), result.FinishReason, result.PromptTokens, result.CompletionTokens)).ConfigureAwait(false);
    }

    internal static async Task<byte[]> ReadBody(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
