using System.Globalization;

namespace Tpd.Core.Models;

/// <summary>
/// An inline model description: <c>custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9</c>.
/// Describes a decoder with a gated (SwiGLU) MLP, RMSNorm and no biases, the shape of Llama, Mistral and
/// Qwen3. When <c>params</c> is given without the MLP width, the width is solved so that the parameter
/// count comes out at <c>params</c>.
/// </summary>
public static class CustomModelSpec
{
    public const string Prefix = "custom:";

    /// <summary>Default vocabulary: the Llama 3 tokenizer's 128,256 entries (meta-llama/Llama-3.1-8B config.json).</summary>
    public const int DefaultVocab = 128_256;

    /// <summary>Every key with its meaning and default, for --help and error messages.</summary>
    public static IReadOnlyList<(string Key, string Meaning)> Keys { get; } =
    [
        ("layers", "decoder layers (required)"),
        ("hidden", "hidden size d_model (required)"),
        ("heads", "query heads (required)"),
        ("kv_heads", "key/value heads; default = heads (no GQA)"),
        ("head_dim", "width of one head; default = hidden / heads"),
        ("intermediate", "dense MLP width; required unless params is given (then solved from params)"),
        ("vocab", $"vocabulary size; default {DefaultVocab} (Llama 3 tokenizer)"),
        ("experts", "routed experts per MoE layer; default 0 (dense)"),
        ("top_k", "routed experts per token; required with experts"),
        ("expert_intermediate", "width of one expert; required with experts unless params is given (then solved)"),
        ("shared_experts", "shared experts per MoE layer, each expert_intermediate wide; default 0"),
        ("dense_layers", "leading layers with a dense MLP in an MoE model; default 0"),
        ("window", "sliding-window size in tokens; default none (every layer attends to the full context)"),
        ("global_every", "with window: every N-th layer attends globally (Gemma 3: 6); default 0 = every layer slides"),
        ("tied", "true when the LM head shares the embedding matrix; default false"),
        ("params", "total parameter count (32B, 32e9); solves the MLP width when it is not given, else a published figure to check against"),
    ];

    public static string HelpText { get; } =
        "custom:key=value,... describes a decoder with a gated MLP, RMSNorm and no biases. Keys:\n"
        + string.Join("\n", Keys.Select(k => $"  {k.Key,-20} {k.Meaning}"))
        + "\nExample: custom:layers=64,hidden=8192,heads=64,kv_heads=8,params=32e9";

    private static readonly HashSet<string> KeyNames = [.. Keys.Select(k => k.Key)];

    public static bool IsCustom(string spec) => spec.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a spec with or without the "custom:" prefix; every bad key is reported at once.</summary>
    public static ModelArchitecture Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = IsCustom(spec) ? spec.TrimStart()[Prefix.Length..] : spec;
        var problems = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                problems.Add($"'{raw}' is not key=value");
                continue;
            }

            var key = raw[..eq].Trim().ToLowerInvariant().Replace('-', '_');
            var value = raw[(eq + 1)..].Trim();
            if (!KeyNames.Contains(key))
                problems.Add($"unknown key '{key}'");
            else if (!values.TryAdd(key, value))
                problems.Add($"'{key}' given twice");
        }

        var reader = new Reader(values, problems);
        var layers = reader.Int("layers", ModelLimits.MaxLayers, required: true);
        var hidden = reader.Int("hidden", ModelLimits.MaxHidden, required: true);
        var heads = reader.Int("heads", ModelLimits.MaxHeads, required: true);
        var kvHeads = reader.Int("kv_heads", ModelLimits.MaxHeads) ?? heads;
        var headDim = reader.Int("head_dim", ModelLimits.MaxHeadDim);
        var intermediate = reader.Int("intermediate", ModelLimits.MaxIntermediate);
        var vocab = reader.Int("vocab", ModelLimits.MaxVocab) ?? DefaultVocab;
        var experts = reader.Int("experts", ModelLimits.MaxExperts, min: 0) ?? 0;
        var topK = reader.Int("top_k", ModelLimits.MaxExperts);
        var expertWidth = reader.Int("expert_intermediate", ModelLimits.MaxIntermediate);
        var shared = reader.Int("shared_experts", ModelLimits.MaxExperts, min: 0) ?? 0;
        var denseLayers = reader.Int("dense_layers", ModelLimits.MaxLayers, min: 0) ?? 0;
        var window = reader.Int("window", int.MaxValue);
        var globalEvery = reader.Int("global_every", ModelLimits.MaxLayers, min: 0) ?? 0;
        var tied = reader.Bool("tied") ?? false;
        var parameters = reader.Count("params");

        if (heads is > 0 && hidden is > 0 && headDim is null && hidden % heads != 0)
            problems.Add($"hidden {hidden} is not a multiple of heads {heads}; give head_dim");
        if (heads is > 0 && kvHeads is > 0 && heads % kvHeads != 0)
            problems.Add($"heads {heads} is not a multiple of kv_heads {kvHeads}");
        if (experts > 0 && topK is null)
            problems.Add("experts needs top_k");
        if (experts > 0 && topK > experts)
            problems.Add($"top_k {topK} exceeds experts {experts}");
        if (experts == 0 && (topK is not null || expertWidth is not null || shared > 0 || denseLayers > 0))
            problems.Add("top_k, expert_intermediate, shared_experts and dense_layers need experts");
        if (layers is > 0 && denseLayers >= layers)
            problems.Add($"dense_layers {denseLayers} leaves no MoE layer of {layers}");
        if (globalEvery > 0 && window is null)
            problems.Add("global_every needs window");
        if (experts == 0 && intermediate is null && parameters is null)
            problems.Add("give intermediate or params");
        if (experts > 0 && expertWidth is null && parameters is null)
            problems.Add("give expert_intermediate or params");
        if (experts > 0 && denseLayers > 0 && intermediate is null)
            problems.Add("dense_layers needs intermediate (the width of the dense layers)");

        if (problems.Count > 0)
            throw Error(spec, problems);

        var notes = new List<string>();
        if (!values.ContainsKey("kv_heads"))
            notes.Add($"kv_heads not given: {kvHeads} (= heads, no GQA)");
        if (!values.ContainsKey("head_dim"))
            notes.Add($"head_dim not given: {hidden / heads} (= hidden / heads)");
        if (!values.ContainsKey("vocab"))
            notes.Add($"vocab not given: {DefaultVocab} (Llama 3 tokenizer)");

        var L = layers!.Value;
        var h = hidden!.Value;
        var H = heads!.Value;
        var K = kvHeads!.Value;
        var d = headDim ?? h / H;

        // Parameters outside the MLPs, as ParameterCounter counts them for this shape.
        var embedding = (double)vocab * h * (tied ? 1 : 2);
        var attention = (2.0 * h * H * d) + (2.0 * h * K * d);
        var norms = (2.0 * L * h) + h;
        var fixedPart = embedding + norms + (L * attention);

        if (experts == 0 && intermediate is null)
        {
            var perLayer = Math.Round((parameters!.Value - fixedPart) / (3.0 * h * L));
            if (perLayer < 1)
                throw Error(spec, [$"params {Format(parameters.Value)} is too small: embeddings and attention alone take {Format(fixedPart)}"]);
            if (perLayer > ModelLimits.MaxIntermediate)
                throw Error(spec, [$"params {Format(parameters.Value)} would need an MLP {perLayer:0} wide, more than the {ModelLimits.MaxIntermediate} allowed; give intermediate, or more layers or a wider hidden size"]);
            intermediate = (int)perLayer;
            notes.Add($"intermediate solved from params {Format(parameters.Value)}: {intermediate}");
        }

        if (experts > 0 && expertWidth is null)
        {
            var moeLayers = L - denseLayers;
            var rest = parameters!.Value - fixedPart - (denseLayers * 3.0 * h * (intermediate ?? 0)) - (moeLayers * (double)h * experts);
            var width = Math.Round(rest / (3.0 * h * (experts + shared) * moeLayers));
            if (width < 1)
                throw Error(spec, [$"params {Format(parameters.Value)} is too small for {experts} experts: the rest of the model takes {Format(fixedPart)}"]);
            if (width > ModelLimits.MaxIntermediate)
                throw Error(spec, [$"params {Format(parameters.Value)} would need experts {width:0} wide, more than the {ModelLimits.MaxIntermediate} allowed; give expert_intermediate, or more experts or layers"]);
            expertWidth = (int)width;
            notes.Add($"expert_intermediate solved from params {Format(parameters.Value)}: {expertWidth}");
        }

        intermediate ??= expertWidth;
        var spans = new AttentionSpan[L];
        if (window is not null)
        {
            for (var i = 0; i < L; i++)
                spans[i] = globalEvery > 0 && (i + 1) % globalEvery == 0 ? AttentionSpan.Full : AttentionSpan.Sliding;
        }

        var id = Prefix + body.Trim();
        return new ModelArchitecture
        {
            Id = id,
            Name = id,
            ModelType = "custom",
            NumLayers = L,
            HiddenSize = h,
            NumAttentionHeads = H,
            NumKeyValueHeads = K,
            HeadDim = d,
            IntermediateSize = intermediate!.Value,
            VocabSize = vocab,
            TieWordEmbeddings = tied,
            SlidingWindow = window,
            LayerSpans = spans,
            Moe = experts == 0 ? null : new MoeSpec
            {
                NumExperts = experts,
                ExpertsPerToken = topK!.Value,
                ExpertIntermediateSize = expertWidth!.Value,
                NumSharedExperts = shared,
                FirstDenseLayers = denseLayers,
            },
            PublishedTotalParams = parameters,
            Source = "inline custom spec",
            Notes = notes,
        };
    }

    private static string Format(double v) => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B";

    private static ModelConfigException Error(string spec, List<string> problems) =>
        new($"custom model '{spec}': {string.Join("; ", problems)}. Allowed keys: {string.Join(", ", Keys.Select(k => k.Key))}.\n{HelpText}", problems);

    private sealed class Reader(Dictionary<string, string> values, List<string> problems)
    {
        public int? Int(string key, int max, bool required = false, int min = 1)
        {
            if (!values.TryGetValue(key, out var text))
            {
                if (required)
                    problems.Add($"missing '{key}'");
                return null;
            }

            // Accept 8192, 8k and 8e3 alike; the value must come out a whole number.
            if (ParamCount.TryParse(text, out var v) && v == Math.Floor(v) && v >= min)
            {
                if (v <= max)
                    return (int)v;
                problems.Add($"'{key}' must be a whole number from {min} to {max}, got '{text}'");
                return null;
            }

            if (min == 0 && text.Trim() == "0")
                return 0;
            problems.Add($"'{key}' must be a whole number of at least {min}, got '{text}'");
            return null;
        }

        public bool? Bool(string key)
        {
            if (!values.TryGetValue(key, out var text))
                return null;
            switch (text.Trim().ToLowerInvariant())
            {
                case "true" or "yes" or "1":
                    return true;
                case "false" or "no" or "0":
                    return false;
                default:
                    problems.Add($"'{key}' must be true or false, got '{text}'");
                    return null;
            }
        }

        public double? Count(string key)
        {
            if (!values.TryGetValue(key, out var text))
                return null;
            if (ParamCount.TryParse(text, out var v) && v <= ModelLimits.MaxParams)
                return v;
            problems.Add($"'{key}' must be {ParamCount.Forms}, at most {ModelLimits.MaxParams:0e0}, got '{text}'");
            return null;
        }
    }
}
