using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;

namespace Tpd.Llama.Engine;

/// <summary>
/// Continuous batching over LLamaSharp's <see cref="BatchedExecutor"/>: one llama.cpp context with a unified KV cache
/// shared by up to <see cref="LlamaEngineOptions.MaxSequences"/> conversations. One loop owns the executor: between
/// decode steps it admits waiting requests (FIFO, when a slot is free and their prompt plus max_tokens fits the KV
/// cache), runs one llama_decode over every sequence's pending tokens (prompts longer than a batch are prefilled in
/// chunks beside the others' decode tokens), samples each sequence that got logits, streams its token, and lets
/// finished or abandoned sequences leave. A request whose client went away leaves at the next step boundary.
/// </summary>
public sealed class LlamaEngine : IAsyncDisposable
{
    private readonly LLamaWeights _weights;
    private readonly BatchedExecutor _executor;
    private readonly TokenTable _table;
    private readonly LlamaEngineOptions _options;
    private readonly Channel<Sequence> _inbox = Channel.CreateUnbounded<Sequence>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _statsGate = new();
    private readonly Dictionary<int, (long Steps, double Seconds)> _decodeSteps = [];
    private readonly Task _loop;
    private EngineStats _stats = new();
    private long _submitted;
    private int _reserved;

    private LlamaEngine(LlamaEngineOptions options, LLamaWeights weights, BatchedExecutor executor)
    {
        _options = options;
        _weights = weights;
        _executor = executor;
        _table = new TokenTable(weights);
        KvTokens = (int)executor.Context.ContextSize;
        MaxModelLen = Math.Min(weights.ContextSize, KvTokens);
        _stats = _stats with { KvTokens = KvTokens };
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Loads the model and starts the loop; throws with every problem in the options at once.</summary>
    public static LlamaEngine Start(LlamaEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("invalid engine options: " + string.Join("; ", errors), nameof(options));
        NativeRuntime.Configure();
        var threads = options.Threads ?? Environment.ProcessorCount;
        var p = new ModelParams(options.ModelPath)
        {
            GpuLayerCount = 0,
            SeqMax = (uint)options.MaxSequences,
            BatchSize = (uint)options.BatchTokens,
            UBatchSize = (uint)options.BatchTokens,
            Threads = threads,
            BatchThreads = threads,
            // One pool of KV cells for all sequences (vLLM's model), instead of n_ctx split evenly per sequence.
            KVUnified = true,
        };
        var weights = LLamaWeights.LoadFromFile(p);
        try
        {
            p.ContextSize = (uint)(options.KvTokens ?? options.MaxSequences * weights.ContextSize);
            return new LlamaEngine(options, weights, new BatchedExecutor(weights, p));
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public LLamaWeights Weights => _weights;
    public int VocabSize => _table.Count;

    /// <summary>The longest prompt plus output one request may have: the model's context, or the KV cache if smaller.</summary>
    public int MaxModelLen { get; }

    /// <summary>Tokens the KV cache holds (llama.cpp may round the requested size up).</summary>
    public int KvTokens { get; }

    public int MaxSequences => _options.MaxSequences;

    /// <summary>Text to token ids with llama.cpp's tokenizer; special-token text such as "&lt;|im_end|&gt;" becomes its token, as Hugging Face tokenizers do.</summary>
    public int[] Tokenize(string text, bool addSpecial) =>
        [.. _weights.Tokenize(text, addSpecial && _table.AddBos, special: true, Encoding.UTF8).Select(t => (int)t)];

    /// <summary>Token ids to text, special tokens left out (vLLM's skip_special_tokens); ids must be in the vocabulary.</summary>
    public string Detokenize(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var bytes = new List<byte>();
        foreach (var t in tokens)
            bytes.AddRange(_table.Piece(t));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>The prompt text the model's chat template (in the GGUF) makes of the messages, ending with the assistant's turn.</summary>
    public string ApplyChatTemplate(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var template = new LLamaTemplate(_weights) { AddAssistant = addGenerationPrompt };
        foreach (var (role, content) in messages)
            template.Add(role, content);
        return LLamaTemplate.Encoding.GetString(template.Apply());
    }

    /// <summary>
    /// Queues a request; its tokens stream from the result. <paramref name="aborted"/> (the client's connection)
    /// cancels it: a waiting request leaves the queue, a running one frees its slot and KV cells at the next step.
    /// </summary>
    public Generation Submit(GenerationRequest request, CancellationToken aborted = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Check(request) is { } problem)
            throw new ArgumentException(problem.Message, nameof(request));
        var number = Interlocked.Increment(ref _submitted);
        var seed = request.Seed ?? unchecked((int)(_options.Seed * 0x9E3779B1L + number));
        var sequence = new Sequence(request, new TokenSampler(_table, request.Temperature, seed), aborted);
        if (!_inbox.Writer.TryWrite(sequence))
            sequence.Generation.Finish(new GenerationResult("abort", request.PromptTokens.Count, 0, "the engine has stopped"));
        return sequence.Generation;
    }

    /// <summary>Why the engine cannot run the request and which request field is at fault, or null: what an OpenAI server answers with 400.</summary>
    public RequestProblem? Check(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PromptTokens.Count == 0)
            return new("the prompt is empty; give at least one token", "prompt");
        foreach (var id in request.PromptTokens)
        {
            if (id < 0 || id >= _table.Count)
                return new($"Token id {id} is out of vocabulary (the vocabulary has {_table.Count} tokens, ids 0 to {_table.Count - 1})", "prompt");
        }

        if (request.MaxTokens < 1)
            return new($"max_tokens must be at least 1, got {request.MaxTokens}", "max_tokens");
        if (request.MinTokens < 0 || request.MinTokens > request.MaxTokens)
            return new($"min_tokens must be from 0 to max_tokens ({request.MaxTokens}), got {request.MinTokens}", "min_tokens");
        if (!(request.Temperature >= 0 && float.IsFinite(request.Temperature)))
            return new($"temperature must be 0 or more, got {request.Temperature}", "temperature");
        var total = request.PromptTokens.Count + request.MaxTokens;
        return total > MaxModelLen
            ? new($"This model's maximum context length is {MaxModelLen} tokens. However, you requested {total} tokens ({request.PromptTokens.Count} in the prompt, {request.MaxTokens} in the completion). Please reduce the length of the prompt or completion.", "max_tokens")
            : null;
    }

    public EngineStats Stats()
    {
        lock (_statsGate)
        {
            return _stats with
            {
                DecodeSteps = [.. _decodeSteps.OrderBy(d => d.Key).Select(d => new DecodeStepTiming(d.Key, d.Value.Steps, d.Value.Seconds / d.Value.Steps))],
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var s in _running.Concat(_waiting))
            s.Generation.Finish(new GenerationResult("abort", s.Request.PromptTokens.Count, s.Generated, "the engine stopped"));
        while (_inbox.Reader.TryRead(out var s))
            s.Generation.Finish(new GenerationResult("abort", s.Request.PromptTokens.Count, 0, "the engine stopped"));
        _executor.Dispose();
        _weights.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            while (_inbox.Reader.TryRead(out var incoming))
            {
                _waiting.AddLast(incoming);
            }

            // Leave before admitting: a slot freed by a client that went away goes to the next waiting request now.
            Leave(s => s.Aborted.IsCancellationRequested && s.Conversation is { RequiresInference: false }, "abort");
            Admit();
            UpdateQueueStats();
            if (_running.Count == 0)
            {
                // Idle: wait for a request (or for a waiting one's client to go away, checked on the next arrival).
                if (!await _inbox.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
                    return;
                continue;
            }

            await StepAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops waiting requests whose client left (anywhere in the queue), then moves waiting requests into the batch,
    /// oldest first, while a slot is free and the KV cache can hold them.
    /// </summary>
    private void Admit()
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Aborted.IsCancellationRequested)
            {
                _waiting.Remove(node);
                Count(aborted: 1);
                node.Value.Generation.Finish(new GenerationResult("abort", node.Value.Request.PromptTokens.Count, 0, "cancelled while waiting"));
            }

            node = next;
        }

        // Strict FIFO: a big request at the head is not overtaken by smaller ones behind it.
        while (_waiting.First is { Value: var s } && _running.Count < _options.MaxSequences && _reserved + s.KvNeed <= KvTokens)
        {
            _waiting.RemoveFirst();
            _reserved += s.KvNeed;
            s.Conversation = _executor.Create();
            s.Conversation.Prompt(s.Request.PromptTokens.Select(t => (LLamaToken)t).ToArray().AsSpan());
            _running.Add(s);
            lock (_statsGate)
                _stats = _stats with { PromptTokens = _stats.PromptTokens + s.Request.PromptTokens.Count };
        }
    }

    private async Task StepAsync()
    {
        // A step with nothing but one decode token per sequence, all in one batch, times the decode of that many sequences.
        var decodeOnly = _executor.BatchQueueCount == 1 && _running.All(s => !s.Prefilling) && _executor.BatchedTokenCount == _running.Count;
        var tokensInStep = _executor.BatchedTokenCount;
        var started = Stopwatch.GetTimestamp();
        DecodeResult result;
        try
        {
            // Not cancellable: llama_decode runs to the end, and the context must outlive it.
            result = await _executor.Infer(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail($"llama_decode threw: {e.Message}");
            return;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (result != DecodeResult.Ok)
        {
            Fail($"llama_decode returned {result}");
            return;
        }

        var sampled = 0;
        foreach (var s in _running)
        {
            if (s.Conversation is not { RequiresSampling: true } conversation || s.Aborted.IsCancellationRequested)
                continue;
            s.Prefilling = false;
            sampled++;
            var allowEnd = !s.Request.IgnoreEos && s.Generated >= s.Request.MinTokens;
            var token = s.Sampler.Sample(conversation.Sample(), allowEnd);
            s.Generated++;
            var stop = _table.EndsGeneration(token);
            var finish = stop ? "stop" : s.Generated >= s.Request.MaxTokens ? "length" : null;
            // An end-of-generation token is counted (vLLM counts it) but has no text (skip_special_tokens).
            var text = stop ? "" : s.Decode(_table.Piece(token), flush: finish is not null);
            s.Generation.Emit(new GeneratedToken(token, text, finish));
            if (finish is null)
                conversation.Prompt(token);
            else
                s.FinishReason = finish;
        }

        lock (_statsGate)
        {
            _stats = _stats with
            {
                Steps = _stats.Steps + 1,
                StepsWithSeveralSequences = _stats.StepsWithSeveralSequences + (sampled > 1 ? 1 : 0),
                MaxSequencesInStep = Math.Max(_stats.MaxSequencesInStep, sampled),
                GeneratedTokens = _stats.GeneratedTokens + sampled,
            };
            if (decodeOnly && sampled == tokensInStep)
            {
                var (steps, total) = _decodeSteps.GetValueOrDefault(sampled);
                _decodeSteps[sampled] = (steps + 1, total + seconds);
            }
        }

        Leave(s => s.FinishReason is not null, null);
    }

    /// <summary>Removes the sequences that match, freeing their slot, KV cells and reservation, and completes them.</summary>
    private void Leave(Func<Sequence, bool> leaves, string? reason)
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            var s = _running[i];
            if (!leaves(s))
                continue;
            _running.RemoveAt(i);
            _reserved -= s.KvNeed;
            s.Conversation?.Dispose();
            var finish = reason ?? s.FinishReason!;
            Count(finished: finish is "stop" or "length" ? 1 : 0, aborted: finish == "abort" ? 1 : 0);
            s.Generation.Finish(new GenerationResult(finish, s.Request.PromptTokens.Count, s.Generated, finish == "abort" ? "the client went away" : null));
        }
    }

    /// <summary>A failed decode leaves the context in an unknown state: every running request ends with the error.</summary>
    private void Fail(string error)
    {
        foreach (var s in _running)
        {
            _reserved -= s.KvNeed;
            s.Conversation?.Dispose();
            Count(failed: 1);
            s.Generation.Finish(new GenerationResult("error", s.Request.PromptTokens.Count, s.Generated, error));
        }

        _running.Clear();
    }

    private void Count(int finished = 0, int aborted = 0, int failed = 0)
    {
        lock (_statsGate)
            _stats = _stats with { Finished = _stats.Finished + finished, Aborted = _stats.Aborted + aborted, Failed = _stats.Failed + failed };
    }

    private void UpdateQueueStats()
    {
        lock (_statsGate)
        {
            _stats = _stats with
            {
                Running = _running.Count,
                Waiting = _waiting.Count,
                MaxRunning = Math.Max(_stats.MaxRunning, _running.Count),
                MaxWaiting = Math.Max(_stats.MaxWaiting, _waiting.Count),
                Submitted = Interlocked.Read(ref _submitted),
                KvTokensReserved = _reserved,
            };
        }
    }

    /// <summary>One request's state inside the loop.</summary>
    private sealed class Sequence(GenerationRequest request, TokenSampler sampler, CancellationToken aborted)
    {
        private readonly Decoder _utf8 = new UTF8Encoding(false).GetDecoder();
        private char[] _chars = new char[64];

        public GenerationRequest Request { get; } = request;
        public CancellationToken Aborted { get; } = aborted;
        public TokenSampler Sampler { get; } = sampler;
        public Generation Generation { get; } = new();
        public int KvNeed { get; } = request.PromptTokens.Count + request.MaxTokens;
        public Conversation? Conversation { get; set; }
        public bool Prefilling { get; set; } = true;
        public int Generated { get; set; }
        public string? FinishReason { get; set; }

        /// <summary>The characters this token's bytes complete; bytes of a character split across tokens wait for the rest.</summary>
        public string Decode(ReadOnlySpan<byte> piece, bool flush)
        {
            var needed = _utf8.GetCharCount(piece, flush);
            if (_chars.Length < needed)
                _chars = new char[needed * 2];
            var n = _utf8.GetChars(piece, _chars, flush);
            return new string(_chars, 0, n);
        }
    }
}
